"""The menu of the base template: the entries the apps declared (`raqmana.kernel.navigation`) whose page lets this
person in. The audience of an entry is the one its view declares (`access.audiences.open_to`), so that the menu and
the page never disagree.

The pages open to every signed-in person are their own affairs (their documents, their dossiers). A person who works
for an administration finds theirs beside their name rather than in the menu, which keeps to the public pages and
their work, on one line of a wide screen."""

from functools import cache
from typing import TypedDict

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.urls import resolve, reverse

from raqmana.access.audiences import audience_of, belongs_to
from raqmana.access.checking import acts_for_an_administration
from raqmana.accounts.middleware import awaits_second_factor
from raqmana.kernel.addresses import page_address
from raqmana.kernel.navigation import ENTRIES, SIGNED_IN, Entry


class Link(TypedDict):  # a mapping: a template looks a key up before an attribute
    label: str
    href: str
    own: bool  # one of an agent's own affairs, shown beside their name


def entries_for(user: AbstractBaseUser | AnonymousUser) -> list[tuple[Entry, bool]]:
    """The entries the person may open, each with whether it is one of an agent's own affairs."""
    if awaits_second_factor(user):
        return []  # nothing of the workspace, nor pages it would be sent back from, before the second factor
    agent = user.is_authenticated and acts_for_an_administration(user)
    return [(entry, agent and audience(entry) == SIGNED_IN) for entry in ENTRIES if belongs_to(user, audience(entry))]


def menu_for(user: AbstractBaseUser | AnonymousUser) -> list[Entry]:
    """The entries of the person's menu (an agent's own affairs aside)."""
    return [entry for entry, own in entries_for(user) if not own]


def links_for(user: AbstractBaseUser | AnonymousUser) -> list[Link]:
    """The person's menu as the page shows it: labels in the current language, addresses reversed once."""
    return [
        Link(label=str(entry.label), href=page_address(entry.url_name), own=own) for entry, own in entries_for(user)
    ]


def own_affairs_of(user: AbstractBaseUser | AnonymousUser) -> list[Link]:
    """An agent's own affairs (their documents, dossiers, complaints...), folded under their name in the header."""
    return [link for link in links_for(user) if link["own"]]


def audience(entry: Entry) -> str:
    """The audience of the entry's page: the one its view declares, else the one the entry names."""
    return view_audience(entry.url_name) or entry.shown_to or ""


@cache
def view_audience(url_name: str) -> str | None:
    return audience_of(resolve(reverse(url_name)).func)
