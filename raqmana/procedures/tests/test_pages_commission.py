"""The commission's pages through the test client: each member's opinions, the dossier before them (its answers and
files, every opinion as soon as it is given) and their own opinion given, late ones too; the opinions on the office's
review; the meetings convened from what is ready. Members of another province find nothing; a member never gives
another's opinion; bad input is answered with a message, never an error page."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from raqmana.access.roles import Role
from raqmana.access.services import grant_role
from raqmana.accounts.tests.factories import UserFactory
from raqmana.audit.models import AuditEvent
from raqmana.kernel.scanning import ScanResult, ScanState
from raqmana.kernel.tests import samples
from raqmana.procedures.constants import CommissionMember, OpinionState
from raqmana.procedures.models import CommissionMeeting, Opinion, OpinionAttachment
from raqmana.procedures.services import commission, filing, review
from raqmana.territories.constants import UnitKind
from raqmana.territories.models import AdministrativeUnit, Territory
from raqmana.workflows.services import run_due_clocks

from .conftest import complete
from .test_pages import anonymous, direction, said, signed_in

pytestmark = pytest.mark.django_db

TEMARA = "04.501.01.07"


@pytest.fixture
def filed_large(large, applicant, applicant_act, birth_data, temara, temara_window, members):
    """A large project (its commission adds civil protection) filed in Témara."""
    draft = filing.start_draft(applicant, large, commune=temara)
    complete(draft, applicant, applicant_act, birth_data)
    answers = {"use": "commercial", "shop_sign": "Atlas", "area": "900", "parcelling": "no"}
    filing.save_answers(draft, {**answers, "site": {"commune": TEMARA, "street": "Zone industrielle"}}, by=applicant)
    return filing.file_dossier(draft, by=applicant)


@pytest.fixture(autouse=True)
def opinion_files_found_clean(monkeypatch):
    """The members' files are found clean, without a ClamAV daemon."""
    monkeypatch.setattr("raqmana.kernel.uploads.scan", lambda data: ScanResult(ScanState.CLEAN))


@pytest.fixture
def referred(filed_large, permits_agent):
    """The large project taken up by the permits agent: sent to the commission, an opinion asked of each member."""
    review.take_up(filed_large, by=permits_agent)
    filed_large.refresh_from_db()
    return filed_large


def pdf(name="note.pdf"):
    return SimpleUploadedFile(name, samples.pdf(b"BT /F1 12 Tf (note) Tj ET"), content_type="application/pdf")


def opinion_of(dossier, member):
    return Opinion.objects.get(dossier=dossier, member=member)


def elsewhere_agency():
    """An urban agency agent of another province (Al Hoceïma's)."""
    person = UserFactory()
    grant_role(person, Role.URBAN_AGENCY_AGENT, territory=Territory.objects.get(code="01.051"), by=None, reason="t")
    return person


# The member's opinions and the dossier before them


@pytest.mark.parametrize(("language", "side"), [("ar", "rtl"), ("fr", "ltr")])
def test_a_member_reads_the_opinions_asked_and_the_dossier(referred, members, language, side):
    agency = members[CommissionMember.URBAN_AGENCY]
    client = signed_in(agency, language)
    listed = client.get(reverse("procedures:opinions"))
    assert listed.status_code == 200 and direction(listed) == (language, side)
    assert referred.reference in listed.text and reverse("procedures:member_dossier", args=[referred.pk]) in listed.text
    assert 'class="delay"' in listed.text  # working days left of the member's delay
    page = client.get(reverse("procedures:member_dossier", args=[referred.pk]))
    assert page.status_code == 200 and direction(page) == (language, side)
    assert "El Alaoui" in page.text and "plans.pdf" in page.text  # the answers, the register's names, the files
    assert reverse("procedures:attachment", args=[referred.attachments.get().pk]) in page.text
    own = opinion_of(referred, CommissionMember.URBAN_AGENCY)
    assert reverse("procedures:give_opinion", args=[own.pk]) in page.text
    province = opinion_of(referred, CommissionMember.PROVINCE)
    assert reverse("procedures:give_opinion", args=[province.pk]) not in page.text  # another member's: no form
    assert page.text.count('class="opinion opinion-requested') == 4  # every member's, as it stands
    assert AuditEvent.objects.filter(action="dossier.read", actor=agency).exists()


def test_a_member_opens_a_file_of_the_dossier(referred, members):
    attachment = referred.attachments.get()
    opened = signed_in(members[CommissionMember.PROVINCE]).get(reverse("procedures:attachment", args=[attachment.pk]))
    assert opened.status_code == 200 and b"".join(opened.streaming_content).startswith(b"%PDF")


def test_the_opinions_still_owed_come_first(referred, prefecture):
    """One person representing three members: the opinion already given goes after the two still owed."""
    person = UserFactory()
    for role in (Role.GOVERNOR_SERVICES, Role.URBAN_AGENCY_AGENT, Role.CIVIL_PROTECTION_AGENT):
        grant_role(person, role, territory=prefecture, by=None, reason="t")
    commission.give_opinion(opinion_of(referred, CommissionMember.PROVINCE), by=person, verdict="favourable", text="")
    page = signed_in(person).get(reverse("procedures:opinions"))
    rows = page.text.split("<tbody>")[1].split("</tbody>")[0].split("<tr")[1:]
    assert len(rows) == 3 and said("Favourable") in rows[2] and said("Favourable") not in rows[0] + rows[1]


def test_a_member_gives_their_opinion_with_files_seen_by_every_member_at_once(referred, members, president):
    agency = members[CommissionMember.URBAN_AGENCY]
    own = opinion_of(referred, CommissionMember.URBAN_AGENCY)
    given = signed_in(agency).post(
        reverse("procedures:give_opinion", args=[own.pk]),
        {
            f"opinion-{own.pk}-verdict": "conditional",
            f"opinion-{own.pk}-text": "Recul de 5 m sur la voie.",
            f"opinion-{own.pk}-files": [pdf("note.pdf"), pdf("plan-annote.pdf")],
        },
    )
    assert given.status_code == 302 and given["Location"] == reverse("procedures:member_dossier", args=[referred.pk])
    own.refresh_from_db()
    assert own.state == OpinionState.GIVEN and own.verdict == "conditional" and own.given_by == agency
    assert own.attachments.count() == 2
    note = own.attachments.get(name="note.pdf")
    seen = signed_in(members[CommissionMember.PROVINCE]).get(reverse("procedures:member_dossier", args=[referred.pk]))
    assert "Recul de 5 m sur la voie." in seen.text and said("Favourable with conditions") in seen.text
    assert reverse("procedures:opinion_file", args=[note.pk]) in seen.text
    opened = signed_in(members[CommissionMember.PROVINCE]).get(reverse("procedures:opinion_file", args=[note.pk]))
    assert opened.status_code == 200 and b"".join(opened.streaming_content).startswith(b"%PDF")
    office = signed_in(president).get(reverse("procedures:opinion_file", args=[note.pk]))  # the office reads it too
    assert office.status_code == 200
    assert AuditEvent.objects.filter(action="dossier.attachment_read", actor=president).exists()


def test_a_member_cannot_give_another_member_s_opinion(referred, members):
    province = opinion_of(referred, CommissionMember.PROVINCE)
    refused = signed_in(members[CommissionMember.URBAN_AGENCY]).post(
        reverse("procedures:give_opinion", args=[province.pk]), {f"opinion-{province.pk}-verdict": "favourable"}
    )
    assert refused.status_code == 403
    assert said("Only the representatives of this member of the commission give its opinion.") in refused.text
    province.refresh_from_db()
    assert province.state == OpinionState.REQUESTED


def test_a_refused_opinion_keeps_what_was_typed(referred, members):
    agency = members[CommissionMember.URBAN_AGENCY]
    own = opinion_of(referred, CommissionMember.URBAN_AGENCY)
    client = signed_in(agency)
    url = reverse("procedures:give_opinion", args=[own.pk])
    unfounded = client.post(url, {f"opinion-{own.pk}-verdict": "unfavourable", f"opinion-{own.pk}-text": "  "})
    assert unfounded.status_code == 200 and 'class="errorlist' in unfounded.text
    assert said("Say what the conditions or the reasons are.") in unfounded.text
    no_verdict = client.post(url, {f"opinion-{own.pk}-text": "Hauteur à revoir", f"opinion-{own.pk}-files": pdf()})
    assert no_verdict.status_code == 200 and "Hauteur à revoir" in no_verdict.text
    assert said("Choose your files again: a page sent back does not keep them.") in no_verdict.text
    forged = client.post(url, {f"opinion-{own.pk}-verdict": "maybe", f"opinion-{own.pk}-text": "x" * 6000})
    assert forged.status_code == 200 and 'class="errorlist' in forged.text
    too_many = client.post(
        url, {f"opinion-{own.pk}-verdict": "favourable", f"opinion-{own.pk}-files": [pdf(f"{n}.pdf") for n in range(6)]}
    )
    assert too_many.status_code == 200 and 'class="errorlist' in too_many.text
    own.refresh_from_db()
    assert own.state == OpinionState.REQUESTED and not OpinionAttachment.objects.exists()


def test_a_file_too_large_is_refused_and_what_was_typed_kept(referred, members):
    own = opinion_of(referred, CommissionMember.URBAN_AGENCY)
    huge = SimpleUploadedFile("plan.pdf", b"%PDF-1.4 " + b"0" * (6 * 1024 * 1024), content_type="application/pdf")
    page = signed_in(members[CommissionMember.URBAN_AGENCY]).post(
        reverse("procedures:give_opinion", args=[own.pk]),
        {
            f"opinion-{own.pk}-verdict": "conditional",
            f"opinion-{own.pk}-text": "Recul",
            f"opinion-{own.pk}-files": huge,
        },
    )
    assert page.status_code == 200 and 'class="errorlist' in page.text and "\nRecul</textarea>" in page.text
    own.refresh_from_db()
    assert own.state == OpinionState.REQUESTED


def test_no_opinion_is_given_on_a_decided_dossier(referred, members, president):
    run_due_clocks(now=timezone.now() + timedelta(days=23))  # every member's delay ran out: the dossier is decided
    review.refuse(referred, by=president, reasons="Hauteur excessive.")
    own = opinion_of(referred, CommissionMember.URBAN_AGENCY)
    client = signed_in(members[CommissionMember.URBAN_AGENCY])
    page = client.get(reverse("procedures:member_dossier", args=[referred.pk]))
    assert page.status_code == 200 and reverse("procedures:give_opinion", args=[own.pk]) not in page.text
    refused = client.post(
        reverse("procedures:give_opinion", args=[own.pk]), {f"opinion-{own.pk}-verdict": "favourable"}, follow=True
    )
    assert refused.status_code == 200 and 'class="error"' in refused.text
    own.refresh_from_db()
    assert own.state != OpinionState.GIVEN


def test_a_late_opinion_is_marked_and_may_still_be_given(referred, members):
    run_due_clocks(now=timezone.now() + timedelta(days=23))  # past the members' 15 working days
    agency = members[CommissionMember.URBAN_AGENCY]
    client = signed_in(agency)
    listed = client.get(reverse("procedures:opinions"))
    assert '<tr class="late">' in listed.text
    own = opinion_of(referred, CommissionMember.URBAN_AGENCY)
    assert own.state == OpinionState.LAPSED
    page = client.get(reverse("procedures:member_dossier", args=[referred.pk]))
    assert said("Your opinion is still taken, and counted late.") in page.text
    client.post(reverse("procedures:give_opinion", args=[own.pk]), {f"opinion-{own.pk}-verdict": "favourable"})
    own.refresh_from_db()
    assert own.state == OpinionState.GIVEN
    assert said("given after its delay") in client.get(reverse("procedures:member_dossier", args=[referred.pk])).text


def test_an_opinion_given_twice_is_refused_with_a_message(referred, members):
    agency = members[CommissionMember.URBAN_AGENCY]
    own = opinion_of(referred, CommissionMember.URBAN_AGENCY)
    commission.give_opinion(own, by=agency, verdict="favourable", text="")
    again = signed_in(agency).post(
        reverse("procedures:give_opinion", args=[own.pk]), {f"opinion-{own.pk}-verdict": "unfavourable"}, follow=True
    )
    assert again.status_code == 200 and 'class="error"' in again.text


def test_members_of_another_province_find_nothing(referred, members):
    client = signed_in(elsewhere_agency())
    listed = client.get(reverse("procedures:opinions"))
    assert listed.status_code == 200 and referred.reference not in listed.text
    own = opinion_of(referred, CommissionMember.URBAN_AGENCY)
    assert client.get(reverse("procedures:member_dossier", args=[referred.pk])).status_code == 404
    given = client.post(reverse("procedures:give_opinion", args=[own.pk]), {f"opinion-{own.pk}-verdict": "favourable"})
    assert given.status_code == 404
    commission.give_opinion(
        own, by=members[CommissionMember.URBAN_AGENCY], verdict="favourable", text="", files=[pdf()]
    )
    note = OpinionAttachment.objects.get()
    assert client.get(reverse("procedures:opinion_file", args=[note.pk])).status_code == 404
    assert signed_in(UserFactory()).get(reverse("procedures:opinion_file", args=[note.pk])).status_code == 404


def test_a_file_still_being_scanned_is_not_opened(referred, members):
    own = opinion_of(referred, CommissionMember.URBAN_AGENCY)
    commission.give_opinion(
        own, by=members[CommissionMember.URBAN_AGENCY], verdict="favourable", text="", files=[pdf()]
    )
    OpinionAttachment.objects.update(scan=ScanState.PENDING)
    note = OpinionAttachment.objects.get()
    opened = signed_in(members[CommissionMember.CIVIL_PROTECTION]).get(
        reverse("procedures:opinion_file", args=[note.pk])
    )
    assert opened.status_code == 302 and opened["Location"] == reverse("procedures:member_dossier", args=[referred.pk])


def test_the_commission_is_in_its_members_menu_only(referred, members, applicant, agent):
    member = signed_in(members[CommissionMember.CIVIL_PROTECTION])
    assert f'href="{reverse("procedures:opinions")}"' in member.get(reverse("portal:home")).text
    for outsider in (applicant, agent):
        client = signed_in(outsider)
        assert f'href="{reverse("procedures:opinions")}"' not in client.get(reverse("portal:home")).text
        assert client.get(reverse("procedures:opinions")).status_code == 403
        assert client.get(reverse("procedures:member_dossier", args=[referred.pk])).status_code == 403
    page = anonymous().get(reverse("procedures:opinions"))
    assert page.status_code == 302 and reverse("accounts:login") in page["Location"]


def test_an_agent_finds_their_own_dossiers_beside_their_name(referred, members, applicant):
    citizen = signed_in(applicant).get(reverse("portal:home")).text
    nav = citizen.split('<nav aria-label="')[1].split("</nav>")[0]
    assert f'href="{reverse("procedures:dossiers")}"' in nav  # a citizen's menu
    agency = signed_in(members[CommissionMember.URBAN_AGENCY]).get(reverse("portal:home")).text
    nav = agency.split('<nav aria-label="')[1].split("</nav>")[0]
    assert f'href="{reverse("procedures:dossiers")}"' not in nav
    assert f'<a class="own" href="{reverse("procedures:dossiers")}">' in agency  # beside the agent's name


# The office's review


@pytest.mark.parametrize("language", ["ar", "fr"])
def test_the_review_shows_every_opinion_and_the_referral_date(referred, members, president, language):
    agency = opinion_of(referred, CommissionMember.URBAN_AGENCY)
    commission.give_opinion(agency, by=members[CommissionMember.URBAN_AGENCY], verdict="unfavourable", text="Trop haut")
    page = signed_in(president, language).get(reverse("procedures:review", args=[referred.pk]))
    assert page.status_code == 200 and "Trop haut" in page.text
    assert page.text.count('class="opinion opinion-') == 4
    assert said("The commission's opinions", language) in page.text
    assert (
        'id="commission-title"' in page.text
        and "<form" not in page.text.split('id="commission-title"')[1].split("</section>")[0]
    )  # read only


def test_the_decision_is_offered_once_the_opinions_are_in(referred, members, president):
    client = signed_in(president)
    approve = reverse("procedures:approve", args=[referred.pk])
    assert approve not in client.get(reverse("procedures:review", args=[referred.pk])).text
    give_every_opinion(referred, members)
    assert approve in client.get(reverse("procedures:review", args=[referred.pk])).text


def test_a_dossier_without_a_commission_shows_no_opinions(filed, president):
    page = signed_in(president).get(reverse("procedures:review", args=[filed.pk]))
    assert page.status_code == 200 and 'id="commission-title"' not in page.text


# The meetings


def give_every_opinion(dossier, members):
    for opinion in Opinion.objects.filter(dossier=dossier):
        commission.give_opinion(opinion, by=members[CommissionMember(opinion.member)], verdict="favourable", text="")


@pytest.mark.parametrize(("language", "side"), [("ar", "rtl"), ("fr", "ltr")])
def test_the_office_convenes_a_meeting_of_what_is_ready(referred, members, permits_agent, language, side):
    client = signed_in(permits_agent, language)
    before = client.get(reverse("procedures:meetings"))
    assert before.status_code == 200 and direction(before) == (language, side)
    assert referred.reference not in before.text  # opinions are still awaited
    give_every_opinion(referred, members)
    ready = client.get(reverse("procedures:meetings"))
    assert reverse("procedures:review", args=[referred.pk]) in ready.text
    day = timezone.localdate() + timedelta(days=3)
    convened = client.post(reverse("procedures:meetings"), {"held_on": day.isoformat(), "place": "Salle du conseil"})
    assert convened.status_code == 302
    meeting = CommissionMeeting.objects.get()
    assert list(meeting.dossiers.all()) == [referred] and meeting.place == "Salle du conseil"
    listed = client.get(reverse("procedures:meetings"))
    assert "Salle du conseil" in listed.text and referred.reference in listed.text


def test_a_meeting_in_the_past_is_refused_and_what_was_typed_kept(referred, permits_agent):
    client = signed_in(permits_agent)
    past = client.post(reverse("procedures:meetings"), {"held_on": "2020-01-01", "place": "Salle B"})
    assert past.status_code == 200 and 'class="errorlist' in past.text and 'value="Salle B"' in past.text
    assert said("A meeting is scheduled for today or a later day.") in past.text
    for garbage in ({"held_on": "demain"}, {"held_on": "2030-01-01", "unit": "999999"}, {"place": "\u202e"}, {}):
        assert client.post(reverse("procedures:meetings"), garbage).status_code == 200, garbage
    assert not CommissionMeeting.objects.exists()


def test_the_governor_s_services_convene_for_the_windows_of_their_province(referred, members, temara_window):
    provincial = AdministrativeUnit.objects.create(
        kind=UnitKind.URBANISM_SERVICE, code="URB-04.501", territory=temara_window.territory.parent,
        name_ar="الشباك الوحيد للتعمير بعمالة الصخيرات تمارة", name_fr="Guichet unique d'urbanisme de la préfecture",
    )  # fmt: skip
    page = signed_in(members[CommissionMember.PROVINCE]).get(reverse("procedures:meetings"))
    assert page.status_code == 200
    assert escape(temara_window.name_fr) in page.text and escape(provincial.name_fr) in page.text


def test_the_meetings_are_for_the_office_s_reviewers_only(referred, members, permits_agent, temara):
    assert signed_in(members[CommissionMember.URBAN_AGENCY]).get(reverse("procedures:meetings")).status_code == 403
    elsewhere = Territory.objects.get(code="01.051.01.07")
    stranger = UserFactory()
    grant_role(stranger, Role.PERMITS_AGENT, territory=elsewhere, by=None, reason="t")
    page = signed_in(stranger).get(reverse("procedures:meetings"))
    assert page.status_code == 200 and escape(referred.unit.name_fr) not in page.text


def test_garbage_is_answered_without_an_error_page(referred, members):
    client = signed_in(members[CommissionMember.URBAN_AGENCY])
    assert client.post(reverse("procedures:give_opinion", args=[999999])).status_code == 404
    assert client.get(reverse("procedures:give_opinion", args=[1])).status_code == 405
    assert client.get(reverse("procedures:member_dossier", args=[999999])).status_code == 404
    assert client.get("/procedures/commission/abc/").status_code == 404
    assert client.get(reverse("procedures:opinion_file", args=[999999])).status_code == 404
    assert client.get(reverse("procedures:opinions"), {"page": "zzz"}).status_code == 200
    own = opinion_of(referred, CommissionMember.URBAN_AGENCY)
    url = reverse("procedures:give_opinion", args=[own.pk])
    assert client.post(url, {f"opinion-{own.pk}-verdict": ["favourable", "x"], "files": "x"}).status_code in (200, 302)
    assert client.post(url, {f"opinion-{own.pk}-text": "\x00"}).status_code == 400
