import re
from pathlib import Path

from raqmana.audit.constants import ACTION_LABELS

APPS = Path(__file__).resolve().parents[2]
RECORDED = re.compile(r'action="([a-z_]+\.[a-z_]+)"')


def test_every_action_recorded_has_a_label_for_the_activity_pages():
    recorded = {
        action
        for source in APPS.glob("*/**/*.py")
        if "tests" not in source.parts
        for action in RECORDED.findall(source.read_text())
    }
    assert recorded, "no recorded action found: the pattern no longer matches the code"
    assert recorded - ACTION_LABELS.keys() == set()
