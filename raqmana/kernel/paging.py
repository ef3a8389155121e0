"""Lists shown page by page (Django's Paginator), without counting the rows when the first page holds them all: most
people's lists are that short, and a count is a query of its own."""

from collections.abc import Callable, Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


def first_rows[T](rows: QuerySet[Any, T], per_page: int) -> list[T]:
    """The rows of the first page, and one more if there are more (what `page_of` takes as `first`)."""
    return list(rows[: per_page + 1])


def page_of(
    rows: Callable[[], QuerySet], per_page: int, number: Any, *, first: Callable[[], Sequence[Any]] | None = None
) -> Page:
    """Page `number` of the rows `rows()` gives (any value a query string gives: a wrong one gives the first or the
    last page, as `Paginator.get_page`). The first page is read in one query, without a count, when it holds every
    row; `first` gives its rows (`first_rows`) from elsewhere, such as what is kept of a person between requests,
    and the query is then not even built."""
    if number in (None, "", "1", 1):
        shown = list(first()) if first is not None else first_rows(rows(), per_page)
        if len(shown) <= per_page:
            return Paginator(shown, per_page).page(1)
    return Paginator(rows(), per_page).get_page(number)
