from django.contrib.staticfiles import finders
from django.test import Client


def test_pages_link_the_icon_and_favicon_ico_leads_to_it(db):
    client = Client()
    assert 'rel="icon" href="/static/portal/favicon.svg"' in client.get("/").text
    icon = client.get("/favicon.ico")
    assert (icon.status_code, icon["Location"]) == (302, "/static/portal/favicon.svg")
    assert finders.find("portal/favicon.svg")
