"""In Debian's Chromium: the register search form keeps each label with its input, side by side in columns on a
desktop and stacked on a phone, in Arabic and in French (a help text once pushed every later label one cell
away from its input)."""

import pytest

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

# Each input's box and its label's: the label just above the input, over the same column.
LABELS_AND_INPUTS = """() => [...document.querySelectorAll('.search-form .grid :is(input, select)')].map(input => {
  const label = document.querySelector(`label[for="${input.id}"]`).getBoundingClientRect();
  const box = input.getBoundingClientRect();
  return {id: input.id, gap: box.top - label.bottom,
          overlap: Math.min(label.right, box.right) - Math.max(label.left, box.left),
          labelWidth: label.width, left: box.left, width: box.width};
})"""


@pytest.mark.parametrize("language", ["ar", "fr"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_each_label_stands_above_its_own_input(
    live_server, browser, territories_in_transactional_db, verified_client, agent, language, viewport
):
    session = verified_client(agent).cookies["sessionid"].value
    context = browser.new_context(viewport=viewport)
    context.add_cookies(
        [
            {"name": "sessionid", "value": session, "url": live_server.url},
            {"name": "django_language", "value": language, "url": live_server.url},
        ]
    )
    page = context.new_page()
    page.goto(live_server.url + "/civil-status/search/")
    fields = page.evaluate(LABELS_AND_INPUTS)
    assert len(fields) == 9
    for field in fields:
        # The label ends above its input, at most a help text's two lines away, and shares its column.
        assert 0 <= field["gap"] <= 60, field
        assert field["overlap"] >= min(field["labelWidth"], field["width"]) * 0.9, field
    if viewport is PHONE:
        assert len({round(field["left"]) for field in fields}) == 1  # one column
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    else:
        assert len({round(field["left"]) for field in fields}) == 4  # four columns
    context.close()
