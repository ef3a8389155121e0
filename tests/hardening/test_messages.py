"""Acceptance probes of the message kinds: every declared kind has its two templates, no template is left without a
kind, and each renders in Arabic and French, not in the templates' English."""

from pathlib import Path

import pytest
from django.template import TemplateDoesNotExist

from raqmana.notifications.kinds import KINDS, _engine, render_message


class Someone:
    full_name = "Salma Bennani"


# What the senders give (accounts/services.py, documents/services.py...), with plausible values.
CONTEXT = {"user": Someone(), "person": Someone(), "count": 3, "days": 7, "order": None, "url": "/x", "code": "123456"}
ROOT = Path(__file__).resolve().parents[2] / "raqmana"


@pytest.mark.parametrize("key", sorted(KINDS))
def test_every_kind_has_its_templates(key):
    for name in KINDS[key].template_names:
        try:
            _engine().get_template(name)
        except TemplateDoesNotExist:
            pytest.fail(f"{key}: {name} is missing (notify would raise inside the caller's transaction)")


def test_no_template_is_left_without_its_kind():
    """A template whose kind nobody declares is dead (plan: no dead code); a part included by others starts with _."""
    names = {
        template.stem.rsplit(".", 1)[0] + "@" + template.parts[-3]
        for template in ROOT.glob("*/templates/*/notifications/*.txt")
        if not template.name.startswith("_")
    }
    declared = {key.split(".", 1)[1] + "@" + key.split(".", 1)[0] for key in KINDS}
    assert not names - declared, sorted(names - declared)


@pytest.mark.parametrize(
    "key",
    [key for key in sorted(KINDS) if not KINDS[key].one_time],
)
@pytest.mark.parametrize("language", ["ar", "fr"])
def test_every_kind_is_translated(key, language):
    english = render_message(KINDS[key], CONTEXT, "en")
    other = render_message(KINDS[key], CONTEXT, language)
    assert other.subject != english.subject, f"{key}: subject in {language} is the English one: {english.subject!r}"
    assert other.body != english.body, f"{key}: body in {language} is the English one"
