"""What the browser tests share: Debian's Chromium, the two screen sizes, and the look every page is checked for."""

import os
import shutil
from pathlib import Path

from django.conf import settings

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1280, "height": 900}
SCREENS = Path(settings.BASE_DIR) / "var" / "screens"


def chromium_path():
    """Debian's Chromium, or another on the PATH; None where there is none."""
    return CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")


def photograph(page, name, language, viewport, folder="procedures"):
    """The page reads in its language's direction, is no wider than the screen and labels every input; it is
    photographed into var/screens/<folder>/ when RAQMANA_SCREENSHOTS is set, first, so that a page too wide is seen
    as it is."""
    from playwright.sync_api import expect

    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
    if os.environ.get("RAQMANA_SCREENSHOTS"):
        (SCREENS / folder).mkdir(parents=True, exist_ok=True)
        size = "phone" if viewport == PHONE else "wide"
        page.screenshot(path=str(SCREENS / folder / f"{name}-{language}-{size}.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"{name} ({language}) is {width}px wide"
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('main input:not([type=hidden]), main select, main textarea')]
              .filter(input => !input.closest('[aria-hidden=true]'))
              .filter(input => !(input.labels && input.labels.length) && !input.getAttribute('aria-label'))
              .map(input => input.name || input.id)"""
    )
    assert not unlabelled, f"{name} ({language}): inputs without a label: {unlabelled}"
