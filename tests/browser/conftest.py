import pytest


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ar-MA")
    page = context.new_page()
    yield page
    context.close()
