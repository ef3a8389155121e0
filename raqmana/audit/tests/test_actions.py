"""Every action the code records is declared by an app, with a label in each language of the activity pages; an
undeclared action, or a placed one without a place, is refused."""

import ast
from pathlib import Path

import pytest
from django.utils import translation

from raqmana.audit.models import AuditEvent
from raqmana.audit.registry import ACTIONS, Action, declare
from raqmana.audit.services import reads_outlast_refusals, record, record_read

APPS = Path(__file__).resolve().parents[2]
RECORDERS = {"record", "record_read"}


def _name(call):
    return getattr(call.func, "id", None) or getattr(call.func, "attr", None)


def _strings(node):
    """The string constants an expression can take (a constant, or either branch of a conditional)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _strings(node.body) | _strings(node.orelse)
    return set()


def recorded_actions():
    """Every action string the sources pass to record() or record_read(): given there as a constant, through a
    local variable set to constants, or through a parameter whose callers pass it as `action=` constants."""
    found, unresolved, forwarded = set(), [], set()
    passed = {}  # function name -> constants its callers pass as action=
    for source in APPS.glob("*/**/*.py"):
        if "tests" in source.parts or "migrations" in source.parts:
            continue
        tree = ast.parse(source.read_text())
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            parameters = {argument.arg for argument in function.args.args + function.args.kwonlyargs}
            assigned = {}
            for node in ast.walk(function):
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            assigned.setdefault(target.id, set()).update(_strings(node.value))
            for call in (node for node in ast.walk(function) if isinstance(node, ast.Call)):
                for keyword in call.keywords:
                    if keyword.arg != "action":
                        continue
                    if _name(call) not in RECORDERS:
                        passed.setdefault(_name(call), set()).update(_strings(keyword.value))
                        continue
                    value = keyword.value
                    if _strings(value):
                        found |= _strings(value)
                    elif isinstance(value, ast.Name) and assigned.get(value.id):
                        found |= assigned[value.id]
                    elif isinstance(value, ast.Name) and value.id in parameters:
                        forwarded.add(function.name)
                    else:
                        unresolved.append(f"{source.relative_to(APPS)}:{call.lineno}")
    for function in forwarded:
        assert passed.get(function), f"{function} forwards an action nobody passes it as a constant"
        found |= passed[function]
    return found, unresolved


def test_every_action_recorded_is_declared_with_a_label_in_each_language():
    recorded, unresolved = recorded_actions()
    assert unresolved == [], "actions the scan cannot read: pass them as constants"
    assert len(recorded) > 40, "the scan no longer finds the recorded actions"
    assert recorded - ACTIONS.keys() == set()
    with translation.override("en"):
        english = {code: str(ACTIONS[code].label) for code in recorded}
    for language in ("ar", "fr"):
        with translation.override(language):
            untranslated = {code for code in recorded if str(ACTIONS[code].label) == english[code]}
        assert untranslated == set(), f"labels without a {language} translation"


def test_every_declared_action_is_recorded_somewhere():
    recorded, _unresolved = recorded_actions()
    assert ACTIONS.keys() - recorded == set()


def test_an_action_is_declared_once():
    with pytest.raises(ValueError, match="twice"):
        declare(Action("act.signed", "again"))


@pytest.mark.django_db
def test_an_undeclared_action_is_refused(agent, temara_office):
    before = AuditEvent.objects.count()
    with pytest.raises(ValueError, match="not declared"):
        record(actor=agent, action="act.teleported", target=agent, unit=temara_office)
    with pytest.raises(ValueError, match="not declared"):
        reads_outlast_refusals(lambda: record_read(actor=agent, action="act.peeked", target=agent))()
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_the_activity_pages_show_the_declared_label(agent, temara_office):
    event = record(actor=agent, action="act.read", target=agent, unit=temara_office)
    with translation.override("en"):
        assert str(event.action_label) == "Act read"


PLACES = {"unit", "territory", "national", "actor_place"}


def test_every_call_recording_a_placed_action_names_a_place():
    """Read from the sources, so that a path no test walks (a proof found infected on arrival, say) cannot reach
    record() without its place and fail there."""
    unplaced = []
    for source in APPS.glob("*/**/*.py"):
        if "tests" in source.parts or "migrations" in source.parts:
            continue
        for call in ast.walk(ast.parse(source.read_text())):
            if not isinstance(call, ast.Call) or _name(call) not in RECORDERS:
                continue
            keywords = {keyword.arg for keyword in call.keywords}
            if None in keywords or keywords & PLACES:
                continue  # **event forwards a checked call; a place is named
            actions = {
                action for keyword in call.keywords if keyword.arg == "action" for action in _strings(keyword.value)
            }
            unplaced += [f"{source.name}:{call.lineno} {action}" for action in actions if not ACTIONS[action].placeless]
    assert not unplaced
