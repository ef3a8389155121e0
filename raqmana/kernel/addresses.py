"""The addresses of pages and static files that every page shell links to, worked out once rather than at each
render: `{% url %}` reverses and `{% static %}` reads the manifest of static files every time, a good share of the
time a page takes to render. In templates: `{% load addresses %}`."""

from functools import cache, lru_cache

from django.templatetags.static import static
from django.urls import get_script_prefix, reverse


def page_address(url_name: str) -> str:
    """`reverse(url_name)` for a page that takes no argument and whose namespace has one instance (so that the
    current app changes nothing), reversed once per script prefix."""
    return _reversed(url_name, get_script_prefix())


@lru_cache(maxsize=1024)  # bounded: the script prefix comes from the server's environment, one or two in practice
def _reversed(url_name: str, script_prefix: str) -> str:
    return reverse(url_name)  # under `script_prefix`, the current one: the key of what is remembered


@cache
def static_address(path: str) -> str:
    """`static(path)`, looked up once: the manifest of static files is read when the process starts, and STATIC_URL
    takes its script prefix at its first reading."""
    return static(path)
