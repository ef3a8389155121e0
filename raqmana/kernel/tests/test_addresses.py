"""The page shell's addresses, worked out once, are the ones `{% url %}` and `{% static %}` give, under the script
prefix of the request being served."""

import pytest
from django.template import Context, Template
from django.urls import clear_script_prefix, set_script_prefix


def render(source: str) -> str:
    return Template("{% load addresses static %}" + source).render(Context())


@pytest.fixture
def served_under():
    """Pages served under a script prefix (a deployment behind a path), the root prefix again afterwards."""
    yield set_script_prefix
    clear_script_prefix()


def test_a_page_address_is_the_one_the_url_tag_gives():
    assert render("{% address 'portal:home' %} {% address 'documents:orders' %}") == "/ /documents/orders/"
    assert render("{% address 'documents:orders' %}") == render("{% url 'documents:orders' %}")


def test_a_page_address_follows_the_script_prefix_of_each_request(served_under):
    render("{% address 'documents:orders' %}")
    served_under("/raqmana/")
    assert render("{% address 'documents:orders' %}") == "/raqmana/documents/orders/"
    served_under("/")
    assert render("{% address 'documents:orders' %}") == "/documents/orders/"


def test_a_static_address_is_the_one_the_static_tag_gives():
    assert render("{% static_address 'portal/raqmana.css' %}") == render("{% static 'portal/raqmana.css' %}")
