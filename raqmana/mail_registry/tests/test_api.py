"""The mail registry's API: a clerk registers a letter and its answer, searches and reads the day's register; a
confidential subject is withheld from the services; another commune's clerk reaches nothing; bad input is a named
refusal."""

import pytest
from django.utils import timezone

from raqmana.procedures.tests.test_pages import signed_in as client_of  # agents answer their second factor

pytestmark = pytest.mark.django_db


def test_a_clerk_registers_answers_and_finds_letters(clerk):
    client = client_of(clerk)
    letter = {"direction": "incoming", "correspondent": "Lydec", "subject": "Travaux de voirie"}
    incoming = client.post("/api/mail/", letter, content_type="application/json")
    assert incoming.status_code == 201, incoming.content
    reference = incoming.json()["reference"]
    reply = {"direction": "outgoing", "correspondent": "Lydec", "subject": "Réponse", "in_reply_to": reference}
    outgoing = client.post("/api/mail/", reply, content_type="application/json")
    assert outgoing.status_code == 201 and outgoing.json()["in_reply_to"] == reference
    found = client.get("/api/mail/", {"correspondent": "lydec", "direction": "incoming"}).json()
    assert [one["reference"] for one in found] == [reference]
    assert found[0]["answered_by"] == outgoing.json()["reference"]
    day = client.get("/api/mail/day", {"day": timezone.localdate().isoformat()}).json()
    assert len(day) == 2
    assert client.get(f"/api/mail/{incoming.json()['id']}").json()["subject"] == "Travaux de voirie"


def test_a_confidential_subject_is_withheld_and_another_commune_reaches_nothing(
    registered, permits_agent, skhirate_clerk, temara
):
    secret = registered(subject="Enquête administrative", confidential=True)
    seen = client_of(permits_agent).get(f"/api/mail/{secret.pk}").json()
    assert seen["subject"] is None and seen["confidential"] is True
    outsider = client_of(skhirate_clerk)
    assert outsider.get(f"/api/mail/{secret.pk}").status_code == 404
    assert outsider.get("/api/mail/", {"subject": "Enquête"}).json() == []
    foreign = {"commune_code": temara.code, "direction": "incoming", "correspondent": "X", "subject": "Y"}
    assert outsider.post("/api/mail/", foreign, content_type="application/json").status_code == 403


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"direction": "sideways"}, 422),
        ({"letter_date": "2999-01-01"}, 422),
        ({"letter_date": "12"}, 422),
        ({"in_reply_to": "A-1999/1"}, 422),
        ({"complaint": "nonsense"}, 422),
        ({"subject": "x" * 1000}, 422),
        ({"subject": "a\u202eb"}, 422),
        ({"commune_code": "99.999"}, 404),
    ],
)
def test_bad_input_is_a_named_refusal_never_a_server_error(clerk, changes, status):
    letter = {"direction": "incoming", "correspondent": "Lydec", "subject": "Objet", **changes}
    answer = client_of(clerk).post("/api/mail/", letter, content_type="application/json")
    assert answer.status_code == status, answer.content
