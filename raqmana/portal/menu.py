"""The menu of the base template: the entries the apps declared (`raqmana.kernel.navigation`) whose page lets this
person in. The audience of an entry is the one its view declares (`access.audiences.open_to`), so that the menu and
the page never disagree."""

from functools import cache
from typing import TypedDict

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.urls import resolve, reverse

from raqmana.access.audiences import audience_of, belongs_to
from raqmana.accounts.middleware import awaits_second_factor
from raqmana.kernel.addresses import page_address
from raqmana.kernel.navigation import ENTRIES, Entry


class Link(TypedDict):  # a mapping: a template looks a key up before an attribute
    label: str
    href: str


def menu_for(user: AbstractBaseUser | AnonymousUser) -> list[Entry]:
    if awaits_second_factor(user):
        return []  # nothing of the workspace, nor pages it would be sent back from, before the second factor
    return [entry for entry in ENTRIES if belongs_to(user, audience(entry))]


def links_for(user: AbstractBaseUser | AnonymousUser) -> list[Link]:
    """The person's menu as the page shows it: labels in the current language, addresses reversed once."""
    return [Link(label=str(entry.label), href=page_address(entry.url_name)) for entry in menu_for(user)]


def audience(entry: Entry) -> str:
    """The audience of the entry's page: the one its view declares, else the one the entry names."""
    return view_audience(entry.url_name) or entry.shown_to or ""


@cache
def view_audience(url_name: str) -> str | None:
    return audience_of(resolve(reverse(url_name)).func)
