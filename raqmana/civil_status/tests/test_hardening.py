"""What an independent attack on the register found: races, 5xx, silent acceptance, leaks. Each stays fixed."""

import threading
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from raqmana.access.roles import Role
from raqmana.access.services import grant_role
from raqmana.accounts.tests.factories import UserFactory
from raqmana.audit.models import AuditEvent
from raqmana.calendars.services import record_month_start
from raqmana.civil_status.constants import ActKind, AuthorityKind, DeclarantRelation, MentionKind
from raqmana.civil_status.models import Act, DeathNotice
from raqmana.civil_status.search import ActQuery
from raqmana.civil_status.selectors import acts_visible_to, search_register
from raqmana.civil_status.services.acts import draft_act, sign_act
from raqmana.civil_status.services.mentions import record_mention
from raqmana.territories.models import CivilStatusOffice, Territory

URL = "/api/civil-status/acts"


def staff_of(code):
    office = CivilStatusOffice.objects.get(territory__code=code)
    agent, officer = UserFactory(), UserFactory()
    grant_role(agent, Role.CIVIL_STATUS_AGENT, unit=office, by=None, reason="test")
    grant_role(officer, Role.CIVIL_STATUS_OFFICER, unit=office, by=None, reason="test")
    return office, agent, officer


def death_of(birth_act, **changes):
    return {
        "sex": birth_act.sex,
        "first_name_ar": birth_act.first_name_ar,
        "family_name_ar": birth_act.family_name_ar,
        "birth_date": birth_act.birth_date,
        "death_date": date.today() - timedelta(days=1),
        "declarant_name": "جار",
        "declarant_relation": DeclarantRelation.OTHER,
        "declared_on": date.today(),
        "birth_act": birth_act,
        **changes,
    }


def as_json(data, office):
    payload = {key: (value.isoformat() if hasattr(value, "isoformat") else value) for key, value in data.items()}
    payload.pop("birth_place", None)
    return {**payload, "office_code": office.code, "kind": "birth"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel signatures need PostgreSQL's row locks")
def test_two_offices_signing_the_same_death_at_once_record_it_once(territories_in_transactional_db, birth_data):
    temara, agent, officer = staff_of("04.501.01.07")
    born = sign_act(draft_act(temara, ActKind.BIRTH, birth_data, by=agent), by=officer)
    drafts = []
    for code in ("04.501.01.05", "04.501.01.01"):
        office, other_agent, other_officer = staff_of(code)
        drafts.append((draft_act(office, ActKind.DEATH, death_of(born), by=other_agent), other_officer))
    start, outcomes = threading.Barrier(2), []

    def sign(draft, by):
        start.wait()
        try:
            sign_act(draft, by=by)
            outcomes.append("signed")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign, args=pair) for pair in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "signed"]
    assert DeathNotice.objects.count() == 1 and born.mentions.count() == 1


pytestmark = pytest.mark.django_db


@pytest.fixture
def born(temara_office, agent, officer, birth_data):
    return sign_act(draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent), by=officer)


def test_an_agent_who_may_not_read_the_birth_act_is_not_shown_its_data_and_the_check_is_logged(born):
    office, agent, _officer = staff_of("04.501.01.05")
    assert not acts_visible_to(agent).filter(pk=born.pk).exists()
    with pytest.raises(ValidationError) as refused:
        draft_act(office, ActKind.DEATH, death_of(born, first_name_ar="زكرياء", birth_date=date(2000, 1, 1)), by=agent)
    message = " ".join(refused.value.message_dict["birth_act"])
    assert "زكرياء" not in message and born.first_name_ar not in message
    assert born.birth_date.isoformat() not in message
    event = AuditEvent.objects.get(action="act.identity_checked")
    assert (event.actor, event.target_id, event.unit, event.actor_unit) == (
        agent,
        str(born.pk),
        born.office,
        office,
    )


def test_blank_or_letterless_arabic_names_are_refused(temara_office, agent, birth_data):
    for blank in ("   ", "-", "' -"):
        with pytest.raises(ValidationError) as refused:
            draft_act(temara_office, ActKind.BIRTH, {**birth_data, "first_name_ar": blank}, by=agent)
        assert "first_name_ar" in refused.value.message_dict


def test_a_birth_act_records_no_death(temara_office, agent, birth_data, born):
    for field, value in (
        ("death_date", date.today()),
        ("died_abroad", True),
        ("birth_act", born),
        ("death_place_detail", "مستشفى"),
    ):
        with pytest.raises(ValidationError) as refused:
            draft_act(temara_office, ActKind.BIRTH, {**birth_data, field: value}, by=agent)
        assert list(refused.value.message_dict) == [field]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("birth_date", date(1, 1, 2)),
        ("declared_on", date.today() + timedelta(days=1)),
        ("declared_on", date(9999, 12, 31)),
        ("late_judgment_date", date.today() + timedelta(days=30)),
        ("mother_birth_date", date(1200, 1, 1)),
    ],
)
def test_dates_no_register_can_carry_are_refused(temara_office, agent, birth_data, field, value):
    with pytest.raises(ValidationError) as refused:
        draft_act(temara_office, ActKind.BIRTH, {**birth_data, field: value}, by=agent)
    assert field in refused.value.message_dict


def test_a_hijri_birth_date_in_the_future_is_refused_beside_the_hijri(temara_office, agent, birth_data):
    with pytest.raises(ValidationError) as refused:
        draft_act(
            temara_office, ActKind.BIRTH, {**birth_data, "birth_date": None, "birth_date_hijri": "1499-01-01"}, by=agent
        )
    assert "birth_date_hijri" in refused.value.message_dict


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"birth_date": "0001-01-02", "declared_on": "0001-01-05"}, "birth_date"),
        ({"birth_time": "10:00+01:00"}, "birth_time"),
        ({"birth_time": "10:00Z"}, "birth_time"),
        ({"birth_time": 3600}, "birth_time"),
        ({"birth_date": 0}, "birth_date"),
        ({"birth_date_hijri": {"year": 1340, "month": True, "day": 2}}, "birth_date_hijri.month"),
        ({"birth_date_hijri": {"year": 1340, "month": 2, "day": 100}}, "birth_date_hijri.day"),
        ({"birth_date_hijri": "1340-02-02"}, "birth_date_hijri"),
        ({"office_code": "nowhere"}, "office_code"),
        ({"pre_declaration_id": 999999}, "pre_declaration_id"),
        ({"sex": "X"}, "sex"),
        ({"death_date": "2026-01-01"}, "death_date"),
    ],
)
def test_the_api_refuses_by_name_never_with_a_5xx(
    verified_client, agent, temara_office, birth_data, changes, named, settings
):
    client = verified_client(agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.post(URL, {**as_json(birth_data, temara_office), **changes}, content_type="application/json")
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    assert detail.startswith(f"{named}: ") or f"; {named}: " in detail, detail
    assert "Input should" not in detail and "Value error" not in detail and " or " not in detail
    assert not Act.objects.exists()


def test_reasons_and_criteria_are_checked_before_the_audit_trail(verified_client, agent, born):
    client = verified_client(agent)
    for reason in ("x" * 301, "a\x00b", "a\u202eb"):
        refused = 400 if "\x00" in reason else 422  # a NUL is refused, naming its field, before any view runs
        read = client.get(f"{URL}/{born.pk}", {"reason": reason})
        assert read.status_code == refused and read.json()["detail"].startswith("reason: ")
        searched = client.get(URL, {"name": "Youssef", "reason": reason})
        assert searched.status_code == refused and searched.json()["detail"].startswith("reason: ")
    for criteria in ({"name": "x" * 201}, {"name": "a\x00"}, {"birth_year": 10**20}, {"birth_year": 10000}):
        searched = client.get(URL, {**criteria, "reason": "r"})
        assert searched.status_code == (400 if "a\x00" in criteria.values() else 422), (criteria, searched.content)
    assert not AuditEvent.objects.filter(action__in=["act.read", "act.searched"]).exists()


def test_pre_declarations_refuse_unknown_fields_and_ancient_dates(client, hospital_key):

    key = hospital_key
    base = {"kind": "birth", "sex": "F", "event_date": str(date.today())}
    for changes, named in (
        ({"idcs": "1"}, "idcs"),
        ({"event_date": "0001-01-01"}, "event_date"),
        ({"event_time": "10:00Z"}, "event_time"),
    ):
        response = client.post(
            "/api/civil-status/pre-declarations",
            {**base, **changes},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )
        assert response.status_code == 422 and response.json()["detail"].startswith(f"{named}: ")


def test_a_corrected_name_is_searched_by_its_correction(temara_office, agent, officer, born):
    record_mention(
        born,
        kind=MentionKind.SUBSTANTIVE_CORRECTION,
        authority_kind=AuthorityKind.COURT,
        authority_name="المحكمة الابتدائية",
        reference_number="9/2026",
        decided_on=date.today(),
        legal_basis="القانون 36.21",
        text_ar="تصحيح الاسم الشخصي",
        changes={"first_name_ar": "يونس"},
        by=officer,
    )
    assert search_register(officer, ActQuery(name="يونس العلوي"), reason="r").total == 1
    assert Act.objects.get(pk=born.pk).first_name_ar == "يوسف"  # the act itself stays as signed


def test_duplicates_shown_are_logged_at_their_office(temara_office, agent, born, birth_data, verified_client):
    draft = draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent)
    verified_client(agent).get(f"/civil-status/acts/{draft.pk}/", {"reason": "drafting"})
    event = AuditEvent.objects.get(action="act.shown_as_duplicate")
    assert (event.target_id, event.unit, event.details) == (str(born.pk), born.office, {"draft": draft.pk})


def test_a_duplicate_is_flagged_when_the_new_draft_lacks_the_mother(temara_office, agent, born, birth_data):
    later = {
        **birth_data,
        "birth_date": born.birth_date + timedelta(days=2),
        "mother_first_name_ar": "",
        "mother_family_name_ar": "",
        "mother_birth_date": None,
        "birth_place": Territory.objects.get(code="04.501.01.05"),
    }
    from raqmana.civil_status.selectors import likely_duplicates

    draft = draft_act(temara_office, ActKind.BIRTH, later, by=agent)
    assert [row["pk"] for row in likely_duplicates(draft)] == [born.pk]


@pytest.fixture
def crowded_year(temara_office, agent):
    """1,100 births of 2005 in Témara, all named محمد العلوي and signed at one moment, and one يوسف الإدريسي."""
    from raqmana.civil_status.services.bulk_load import load_historical_acts
    from raqmana.civil_status.synthetic import ActGenerator

    temara = temara_office.territory
    generator = ActGenerator([temara], {temara.pk: temara_office.pk}, seed=11)
    rows = [generator.birth(agent.pk) for _ in range(1101)]
    for index, row in enumerate(rows):
        names = ("يوسف", "الإدريسي") if index == 0 else ("محمد", "العلوي")
        row.update(first_name_ar=names[0], family_name_ar=names[1], first_name_latin="", family_name_latin="")
        row.update(
            birth_date=date(2005, 1 + index % 12, 1 + index % 28), mother_birth_date=None, father_birth_date=None
        )
        row["declared_on"] = row["birth_date"]
    load_historical_acts(rows, by=agent, reason="test")
    return temara


def test_one_name_is_found_among_a_crowded_year_of_a_commune(crowded_year, officer):
    query = ActQuery(name="Drissi", birth_year=2005, birth_place_id=crowded_year.pk)
    found = search_register(officer, query, reason="r")
    assert [act.family_name_ar for act in found.acts] == ["الإدريسي"]


def test_pages_of_many_namesakes_signed_at_once_never_repeat_an_act(crowded_year, officer):
    shown = []
    for page in range(1, 11):
        shown += [
            act.pk
            for act in search_register(
                officer, ActQuery(name="Mohamed Alaoui"), reason="r", page=page, per_page=100
            ).acts
        ]
    assert len(shown) == len(set(shown)) == 1000


@pytest.mark.parametrize(("on_birth_act", "on_death_act"), [("عبد الإله", "عبده"), ("خالد", "خد"), ("بلال", "بل")])
def test_names_that_only_share_letters_are_other_persons(born, temara_office, agent, on_birth_act, on_death_act):
    other = sign_act(
        draft_act(
            temara_office,
            ActKind.BIRTH,
            {
                **{
                    f: getattr(born, f)
                    for f in (
                        "sex",
                        "birth_date",
                        "family_name_ar",
                        "declarant_name",
                        "declarant_relation",
                        "declared_on",
                    )
                },
                "first_name_ar": on_birth_act,
            },
            by=agent,
        ),
        by=born.signed_by,
    )
    with pytest.raises(ValidationError):
        draft_act(temara_office, ActKind.DEATH, death_of(other, first_name_ar=on_death_act), by=agent)


def test_a_hijri_birth_matches_as_typed_or_by_either_gregorian_date_after_the_month_moves(
    temara_office, agent, officer, birth_data
):
    from raqmana.calendars.hijri import MoroccanHijriCalendar

    judged = {"late_judgment_number": "1/2026", "late_judgment_court": "المحكمة", "mother_birth_date": None}
    typed = {**birth_data, **judged, "birth_date": None, "birth_date_hijri": "1440-09-15"}
    born = sign_act(draft_act(temara_office, ActKind.BIRTH, typed, by=agent), by=officer)
    stored = born.birth_date
    record_month_start(1440, 9, stored - timedelta(days=15), source="test")
    moved = MoroccanHijriCalendar().to_gregorian(1440, 9, 15)
    assert moved != stored
    for given in (
        {"birth_date": None, "birth_date_hijri": "1440-09-15"},
        {"birth_date": stored},
        {"birth_date": moved},
    ):
        assert draft_act(temara_office, ActKind.DEATH, death_of(born, **given), by=agent).birth_act == born


def test_digitised_acts_carry_their_arabic_names_and_no_death_link(temara_office, agent, born):
    from raqmana.civil_status.services.bulk_load import load_historical_acts
    from raqmana.civil_status.synthetic import ActGenerator

    temara = temara_office.territory
    generator = ActGenerator([temara], {temara.pk: temara_office.pk}, seed=2)
    for changes, named in (({"first_name_ar": "  "}, "1.first_name_ar"), ({"birth_act_id": born.pk}, "1.birth_act_id")):
        row = {**generator.birth(agent.pk), **changes}
        with pytest.raises(ValidationError) as refused:
            load_historical_acts([row], by=agent, reason="test")
        assert named in refused.value.message_dict


def test_codes_and_ids_that_no_code_is_are_refused_not_crashed(verified_client, agent, temara_office, birth_data):
    client = verified_client(agent)
    assert client.get(URL, {"name": "Youssef", "birth_place": "04.501\x00", "reason": "r"}).status_code == 400
    for field in ("office_code", "birth_place"):
        response = client.post(
            URL, {**as_json(birth_data, temara_office), field: "04\x00"}, content_type="application/json"
        )
        assert response.status_code == 400 and response.json()["detail"].startswith(f"{field}: ")
    assert client.get("/civil-status/acts/new/birth/", {"pre": "abc"}).status_code == 404
    page = client.get("/civil-status/search/", {"name": "Youssef", "reason": "duplicates", "page": "abc"})
    assert page.status_code == 200 and page.context["found"].page == 1
    refusal = client.get(URL, {"reason": "r"}).json()["detail"]
    assert not refusal.startswith("__all__")
