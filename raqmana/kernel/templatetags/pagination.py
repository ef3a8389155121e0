"""The address of another page of a list, keeping the page's other parameters (a search's criteria, another list's
page on the same screen)."""

from django import template
from django.template import Context

register = template.Library()


@register.simple_tag(takes_context=True)
def page_query(context: Context, number: int, parameter: str = "page") -> str:
    """`?…&page=3`: the current query with `parameter` set to `number`."""
    query = context["request"].GET.copy()
    query[parameter] = number
    return "?" + query.urlencode()
