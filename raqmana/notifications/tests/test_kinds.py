"""Each kind of message declared by an app renders in Arabic, French and English from its templates."""

import re
from datetime import date
from types import SimpleNamespace

import pytest

from raqmana.civil_status_documents.constants import CivilStatusDocument, OrderState
from raqmana.notifications.kinds import KINDS, message_kind, render_message

ARABIC_LETTERS = re.compile(r"[\u0600-\u06ff]")


def _order(state):
    return SimpleNamespace(
        state=state,
        get_kind_display=lambda: CivilStatusDocument.BIRTH_EXTRACT.label,
        get_state_display=lambda: OrderState(state).label,
        refusal_reason="Mandate not shown",
    )


AGENT = SimpleNamespace(full_name="Amina O'Brien & Co")
DOSSIER = SimpleNamespace(
    reference="URB-04.501.01.07/2026/12",
    procedure=SimpleNamespace(title="Permis de construire"),
    delay_days=10,
    silence_means_approval=True,
    decision_reasons="Hauteur > plan d'aménagement",
    tax_amount="2410.00",
)
DOSSIER_URL = "https://r.ma/procedures/dossiers/12/"
PROCEDURES_EXAMPLES = {
    "dossier_filed": ({"dossier": DOSSIER, "url": DOSSIER_URL}, DOSSIER_URL),
    "information_requested": (
        {
            "dossier": DOSSIER,
            "url": DOSSIER_URL,
            "message": SimpleNamespace(body="Ajoutez la façade", get_correction_display=lambda: "incomplete"),
        },
        "Ajoutez la façade",
    ),
    "message": ({"dossier": DOSSIER, "url": DOSSIER_URL, "message": SimpleNamespace(body="Bonjour")}, "Bonjour"),
    "dossier_approved": ({"dossier": DOSSIER, "url": DOSSIER_URL}, DOSSIER_URL),
    "dossier_refused": ({"dossier": DOSSIER, "url": DOSSIER_URL}, "Hauteur > plan d'aménagement"),
    "dossier_approved_by_silence": ({"dossier": DOSSIER, "url": DOSSIER_URL}, "2-22-141"),
    "attachment_infected": (
        {"dossier": DOSSIER, "url": DOSSIER_URL, "attachment": SimpleNamespace(name="plan.pdf")},
        "plan.pdf",
    ),
    "opinion_requested": (
        {"dossier": DOSSIER, "opinion": SimpleNamespace(get_member_display=lambda: "Agence urbaine")},
        "URB-04.501.01.07/2026/12",
    ),
    "tax_due": ({"dossier": DOSSIER, "url": DOSSIER_URL}, "2410.00"),
    "draft_expiring": ({"dossier": DOSSIER, "url": DOSSIER_URL, "expires_on": date(2026, 12, 5)}, DOSSIER_URL),
    "export_ready": ({"export": SimpleNamespace(written=1200)}, "1200"),
}
COMPLAINT = SimpleNamespace(
    reference="04.501.01.07/2026/3",
    collectivity=SimpleNamespace(name="Témara"),
    unit=SimpleNamespace(name="Commune de Témara"),
    forwarded_to="Service de la propreté",
    inadmissible_reasons="Litige entre particuliers",
    filed_at=date(2026, 11, 2),
)
COMPLAINT_URL = "https://r.ma/complaints/3/"
COMPLAINTS_EXAMPLES = {
    "filed": (
        {"complaint": COMPLAINT, "url": COMPLAINT_URL, "qualification_days": 15, "answer_days": 60},
        "04.501.01.07/2026/3",
    ),
    "forwarded": ({"complaint": COMPLAINT, "url": COMPLAINT_URL}, "Service de la propreté"),
    "answered": ({"complaint": COMPLAINT, "url": COMPLAINT_URL}, COMPLAINT_URL),
    "not_admissible": ({"complaint": COMPLAINT, "url": COMPLAINT_URL}, "Litige entre particuliers"),
    "escalated": ({"complaint": COMPLAINT, "url": COMPLAINT_URL, "reason": "Late"}, "04.501.01.07/2026/3"),
}
LEGALISATION = SimpleNamespace(reference="LEG-04.501.01.07/2026/15", office=SimpleNamespace(name="Bureau de Témara"))
LEGALISATION_URL = "https://r.ma/legalisation/15/"
LEGALISATION_EXAMPLES = {
    "completed": ({"request": LEGALISATION, "url": LEGALISATION_URL}, "LEG-04.501.01.07/2026/15"),
    "refused": ({"request": LEGALISATION, "url": LEGALISATION_URL, "reason": "Original absent"}, "Original absent"),
}
PROPOSAL = SimpleNamespace(reference="P-12", title="Attestation en ligne", get_state_display=lambda: "Adoptée")
ASSIGNMENT = SimpleNamespace(get_role_display=lambda: "R-LABEL", place_name="Témara")
# An example context for each kind, and a value the message must carry.
EXAMPLES = {
    "accounts.role_granted": ({"user": AGENT, "assignment": ASSIGNMENT}, "Témara"),
    "accounts.role_granted_with_code": (
        {"user": AGENT, "assignment": ASSIGNMENT, "code": "ABCDE-FGHJK"},
        "ABCDE-FGHJK",
    ),
    "accounts.contact_code": ({"code": "482913", "minutes": 10}, "482913"),
    "accounts.signup_attempted": (
        {"contact": "amina@example.ma", "login": "https://r.ma/login", "reset": "https://r.ma/reset"},
        "https://r.ma/reset",
    ),
    "accounts.wrong_totp_codes": ({"user": AGENT, "count": 5}, "5"),
    "civil_status_documents.lookup_limit_reached": ({"agent": AGENT, "office": "Témara", "rate": "30/h"}, "30/h"),
    "civil_status_documents.order_awaiting_check": ({"order": _order(OrderState.AWAITING_CHECK), "url": "U"}, ""),
    "civil_status_documents.order_issued": (
        {"order": _order(OrderState.ISSUED), "url": "https://r.ma/o/7"},
        "https://r.ma/o/7",
    ),
    "civil_status_documents.order_refused": ({"order": _order(OrderState.REFUSED), "url": "U"}, "Mandate not shown"),
    "civil_status_documents.order_expired": ({"order": _order(OrderState.CANCELLED), "days": 3}, "3"),
    "civil_status_documents.proof_infected": ({"order": _order(OrderState.CANCELLED)}, ""),
    **{f"procedures.{key}": (context, carried) for key, (context, carried) in PROCEDURES_EXAMPLES.items()},
    **{f"complaints.{key}": (context, carried) for key, (context, carried) in COMPLAINTS_EXAMPLES.items()},
    **{f"legalisation.{key}": (context, carried) for key, (context, carried) in LEGALISATION_EXAMPLES.items()},
    "proposals.moved": ({"proposal": PROPOSAL, "url": "https://r.ma/proposals/12/"}, "Attestation en ligne"),
}


def test_every_declared_kind_has_an_example_here():
    assert set(KINDS) == set(EXAMPLES)


@pytest.mark.parametrize("key", sorted(EXAMPLES))
def test_each_kind_renders_in_the_recipients_language(key):
    context, carried = EXAMPLES[key]
    kind = message_kind(key)
    english, french, arabic = (render_message(kind, context, language) for language in ("en", "fr", "ar"))
    for message in (english, french, arabic):
        assert message.subject.startswith(("Raqmana", "رقمنة")) and "\n" not in message.subject
        assert message.body and carried in message.body
        assert "&#x27;" not in message.body and "&amp;" not in message.body  # plain text, nothing escaped
    assert french.subject != english.subject and french.body != english.body
    assert ARABIC_LETTERS.search(arabic.subject) and ARABIC_LETTERS.search(arabic.body)


def test_a_message_says_what_its_state_calls_for():
    kind = message_kind("civil_status_documents.proof_infected")
    cancelled = render_message(kind, {"order": _order(OrderState.CANCELLED)}, "en").body
    waiting = render_message(kind, {"order": _order(OrderState.AWAITING_CHECK)}, "en").body
    assert "is cancelled" in cancelled and "wait for its refusal" in waiting


def test_an_undeclared_kind_is_refused():
    with pytest.raises(LookupError):
        message_kind("documents.no_such_message")
