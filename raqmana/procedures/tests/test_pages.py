"""The procedures' pages through the test client: the public catalogue, a dossier from its start to its filing (saved
as typed, files, the civil status link), the applicant's pages, the office's queue and review; each in Arabic (rtl)
and French, nobody reaching another's dossier, and bad input answered with a message, never an error page."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from raqmana.access.roles import Role
from raqmana.access.services import grant_role
from raqmana.accounts.services.enterprises import register_enterprise
from raqmana.accounts.tests.factories import UserFactory
from raqmana.audit.models import AuditEvent
from raqmana.kernel.tests import samples
from raqmana.procedures.constants import Category, DossierState
from raqmana.procedures.models import Attachment, Dossier, Procedure, ProcedureVersion
from raqmana.procedures.services import attachments, filing
from raqmana.territories.constants import Level, UnitKind
from raqmana.territories.models import AdministrativeUnit, Territory

from .conftest import labels

pytestmark = pytest.mark.django_db

TEMARA_PICKED = "Temara — تمارة · 04.501.01.07"
HX = {"HTTP_HX_REQUEST": "true"}

EVERY_KIND = {
    "requirements": [
        {"kind": "plans", "label": labels("Architect's plans")},
        {"kind": "lot_plan", "label": labels("Plan of the lot")},
        {"kind": "land_title", "label": labels("Land title certificate"), "source": "another_administration"},
        {"kind": "identity", "label": labels("Identity"), "source": "civil_status_register"},
    ],
    "fields": [
        {"key": "applicant", "type": "civil_status_link", "label": labels("Your civil status")},
        {"key": "name", "type": "text", "label": labels("Project name"), "help": labels("As on the plans")},
        {"key": "notes", "type": "long_text", "label": labels("Notes"), "required": False},
        {"key": "area", "type": "number", "label": labels("Area"), "min": 1, "decimals": 2, "unit": labels("m²")},
        {"key": "start", "type": "date", "label": labels("Start of works"), "required": False},
        {
            "key": "use",
            "type": "choice",
            "label": labels("Use"),
            "choices": [
                {"value": "housing", "label": labels("Housing")},
                {"value": "commercial", "label": labels("Commercial")},
            ],
        },
        {
            "key": "shop_sign",
            "type": "text",
            "label": labels("Shop sign"),
            "shown_if": {"field": "use", "in": ["commercial"]},
        },
        {
            "key": "zone",
            "type": "choice",
            "label": labels("Zone"),
            "required": False,
            "choices": [{"value": f"z{n}", "label": labels(f"Zone {n}")} for n in range(1, 8)],
        },
        {
            "key": "networks",
            "type": "multiple_choice",
            "label": labels("Networks"),
            "required": False,
            "choices": [
                {"value": "water", "label": labels("Water")},
                {"value": "power", "label": labels("Power")},
            ],
        },
        {"key": "basement", "type": "yes_no", "label": labels("Basement"), "required": False},
        {"key": "site", "type": "address", "label": labels("Site")},
        {"key": "point", "type": "map_point", "label": labels("Point"), "required": False},
        {"key": "plans", "type": "file", "document": "plans", "label": labels("Plans"), "max": 3},
        {
            "key": "lots",
            "type": "repeat",
            "label": labels("Lots"),
            "required": False,
            "max": 5,
            "fields": [
                {"key": "area", "type": "number", "label": labels("Lot area")},
                {"key": "plan", "type": "file", "document": "lot_plan", "label": labels("Lot plan"), "required": False},
            ],
        },
    ],
}


def said(text, language="fr"):
    """A sentence of the pages as it reads in `language`, escaped as a page writes it."""
    with translation.override(language):
        return str(escape(translation.gettext(text)))


def signed_in(user, language="fr"):
    """A client of its own signed in as `user` (its second factor checked), reading pages in `language`."""
    client = Client()
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="test", confirmed=True
    )
    client.force_login(user, backend="raqmana.accounts.backends.EmailOrPhoneBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    client.cookies["django_language"] = language
    return client


def anonymous(language="fr"):
    client = Client()
    client.cookies["django_language"] = language
    return client


def pdf_upload(name="plans.pdf"):
    return SimpleUploadedFile(name, samples.pdf(b"BT /F1 12 Tf (plan) Tj ET"), content_type="application/pdf")


def direction(page):
    return re.search(r'<html lang="(\w+)" dir="(\w+)"', page.text).groups()


@pytest.fixture
def every_kind(db):
    procedure = Procedure.objects.create(
        code="every-kind",
        category=Category.URBANISM,
        title_ar="مسطرة بكل الحقول",
        title_fr="Procédure à tous les champs",
        title_en="Every kind of field",
        description_ar="وصف",
        description_fr="Une procédure d'essai.",
        description_en="A test procedure.",
        legal_basis_ar="القانون 12.90",
        legal_basis_fr="Loi 12-90",
        legal_basis_en="Law 12-90",
        delay_days=90,  # more than the law allows: shown as 60
        delay_in_working_days=True,
        published=True,
    )
    version = ProcedureVersion.objects.create(procedure=procedure, number=1, definition=EVERY_KIND, source="test")
    procedure.current_version = version
    procedure.save(update_fields=["current_version"])
    return procedure


@pytest.fixture
def draft(procedure, applicant, temara):
    return filing.start_draft(applicant, procedure, commune=temara)


@pytest.fixture
def filed(draft, applicant, applicant_act, birth_data, temara_window):
    filing.link_civil_status(
        draft, by=applicant, idcs=applicant_act.idcs, birth_date=birth_data["birth_date"], first_name="Youssef"
    )
    attachments.attach(draft, "plans", pdf_upload(), by=applicant)
    filing.save_answers(
        draft,
        {"use": "individual_housing", "area": "120", "site": {"commune": "04.501.01.07", "street": "12 rue Atlas"}},
        by=applicant,
    )
    return filing.file_dossier(draft, by=applicant)


# The public catalogue


@pytest.mark.parametrize(("language", "side"), [("ar", "rtl"), ("fr", "ltr")])
def test_anyone_reads_the_catalogue_and_a_procedure(procedure, every_kind, language, side):
    client = anonymous(language)
    page = client.get(reverse("procedures:catalogue"))
    assert page.status_code == 200 and direction(page) == (language, side)
    title = procedure.title_ar if language == "ar" else procedure.title_fr
    assert title in page.text and reverse("procedures:procedure", args=["every-kind"]) in page.text
    shown = client.get(reverse("procedures:procedure", args=["every-kind"]))
    assert shown.status_code == 200 and direction(shown) == (language, side)
    assert "Land title certificate (fr)" in shown.text or "Land title certificate (ar)" in shown.text
    # Held by an administration: obtained by it (once only); the register's by the civil status link.
    assert shown.text.count('class="once-only"') == 2
    assert ">60<" in shown.text.replace('<bdi dir="ltr">', ">").replace("</bdi>", "<")  # capped by the law
    assert reverse("accounts:login") in shown.text  # an anonymous visitor is invited to sign in


def test_an_unpublished_or_unknown_procedure_is_not_found(procedure):
    Procedure.objects.filter(pk=procedure.pk).update(published=False)
    assert anonymous().get(reverse("procedures:procedure", args=[procedure.code])).status_code == 404
    assert anonymous().get(reverse("procedures:procedure", args=["nothing-here"])).status_code == 404


def test_a_signed_in_person_is_offered_to_start(procedure, applicant):
    page = signed_in(applicant).get(reverse("procedures:procedure", args=[procedure.code]))
    assert reverse("procedures:start", args=[procedure.code]) in page.text


# From the start to the filing


def test_start_opens_the_form_of_a_draft(procedure, applicant, temara):
    client = signed_in(applicant)
    assert client.get(reverse("procedures:start", args=[procedure.code])).status_code == 200
    started = client.post(reverse("procedures:start", args=[procedure.code]), {"commune": TEMARA_PICKED})
    dossier = Dossier.objects.get(applicant=applicant)
    assert started.status_code == 302 and started["Location"] == reverse("procedures:form", args=[dossier.pk])
    assert dossier.commune == temara and dossier.state == DossierState.DRAFT and dossier.enterprise is None


@pytest.mark.parametrize(("language", "side"), [("ar", "rtl"), ("fr", "ltr")])
def test_a_representative_starts_in_an_enterprise_s_name(procedure, applicant, temara, language, side):
    enterprise = register_enterprise(
        ice="001537619000093", legal_name="Atlas Bâtiment", commune=temara, representative=applicant
    )
    client = signed_in(applicant, language)
    page = client.get(reverse("procedures:start", args=[procedure.code]))
    assert page.status_code == 200 and direction(page) == (language, side)
    assert "Atlas Bâtiment" in page.text and f'value="{enterprise.pk}"' in page.text
    stranger = register_enterprise(
        ice="002345678000031", legal_name="Autre SARL", commune=temara, representative=UserFactory()
    )
    forged = client.post(
        reverse("procedures:start", args=[procedure.code]), {"commune": TEMARA_PICKED, "on_behalf": stranger.pk}
    )
    assert forged.status_code == 200 and f'value="{TEMARA_PICKED}"' in forged.text and not Dossier.objects.exists()
    client.post(
        reverse("procedures:start", args=[procedure.code]), {"commune": TEMARA_PICKED, "on_behalf": enterprise.pk}
    )
    assert Dossier.objects.get().enterprise == enterprise


def test_start_refuses_an_unknown_commune_and_keeps_what_was_typed(procedure, applicant):
    page = signed_in(applicant).post(reverse("procedures:start", args=[procedure.code]), {"commune": "Atlantis"})
    assert page.status_code == 200 and 'value="Atlantis"' in page.text
    assert not Dossier.objects.exists()


def test_start_needs_a_proved_contact(procedure):
    unproved = UserFactory(email_verified_at=None)
    page = signed_in(unproved).get(reverse("procedures:start", args=[procedure.code]))
    assert page.status_code == 302 and reverse("accounts:verify_contact") in page["Location"]


@pytest.mark.parametrize(("language", "side"), [("ar", "rtl"), ("fr", "ltr")])
def test_the_form_shows_every_kind_of_field(every_kind, applicant, temara, language, side):
    dossier = filing.start_draft(applicant, every_kind, commune=temara)
    page = signed_in(applicant, language).get(reverse("procedures:form", args=[dossier.pk]))
    assert page.status_code == 200 and direction(page) == (language, side)
    html = page.text
    for name in ("name", "notes", "area", "start", "site.commune", "site.street", "point.lat", "point.lon"):
        assert f'name="{name}"' in html
    assert 'type="date"' in html and "<textarea" in html
    assert html.count('type="radio" id="f-use-') == 2  # two choices: radio buttons
    assert '<select id="f-zone"' in html  # seven: a list
    assert html.count('type="checkbox"') == 2 and 'name="basement" value="yes"' in html
    assert 'name="upload.plans"' in html and f'hx-post="{reverse("procedures:attach", args=[dossier.pk])}"' in html
    assert 'name="applicant.idcs"' in html and 'name="lots.entries"' in html
    assert 'name="shop_sign"' not in html  # shown only for a commercial use
    assert "m² (" in html  # the number's unit
    assert "aria-live" in html or 'role="status"' in html
    # Every input has its label.
    for input_id in re.findall(r'<(?:input|select|textarea)[^>]* id="([^"]+)"', html):
        assert f'for="{input_id}"' in html or input_id.endswith(("-yes", "-no")), input_id


def test_autosave_keeps_what_is_well_formed_and_names_the_rest_beside_its_field(every_kind, applicant, temara):
    dossier = filing.start_draft(applicant, every_kind, commune=temara)
    client = signed_in(applicant)
    form = client.get(reverse("procedures:form", args=[dossier.pk]))
    layout = re.search(r'name="_layout" value="(\w+)"', form.text).group(1)
    saved = client.post(
        reverse("procedures:save", args=[dossier.pk]),
        {"_form": "1", "_layout": layout, "name": "Villa Atlas", "area": "douze", "use": "housing"},
        **HX,
    )
    assert saved.status_code == 200 and saved["HX-Reswap"] == "none"  # the inputs stay as the person types
    assert 'id="f-area-errors" hx-swap-oob="innerHTML"' in saved.text
    with translation.override("fr"):
        assert said("Enter a number.") in saved.text
    dossier.refresh_from_db()
    assert dossier.answers["name"] == "Villa Atlas" and dossier.answers["use"] == "housing"
    assert "area" not in dossier.answers


def test_a_condition_that_changes_renders_the_form_again(every_kind, applicant, temara):
    dossier = filing.start_draft(applicant, every_kind, commune=temara)
    client = signed_in(applicant)
    form = client.get(reverse("procedures:form", args=[dossier.pk]))
    layout = re.search(r'name="_layout" value="(\w+)"', form.text).group(1)
    changed = client.post(
        reverse("procedures:save", args=[dossier.pk]),
        {"_form": "1", "_layout": layout, "use": "commercial", "name": "Épicerie"},
        **HX,
    )
    assert "HX-Reswap" not in changed and 'name="shop_sign"' in changed.text
    assert 'value="Épicerie"' in changed.text and 'id="autosave-status" hx-swap-oob="innerHTML"' in changed.text


def test_without_script_a_save_shows_the_page_with_what_was_typed(every_kind, applicant, temara):
    dossier = filing.start_draft(applicant, every_kind, commune=temara)
    huge = "x" * 50_000
    page = signed_in(applicant).post(
        reverse("procedures:save", args=[dossier.pk]),
        {"_form": "1", "name": huge, "area": "-3", "point.lat": "91", "point.lon": "abc", "start": "2024-13-45"},
    )
    assert page.status_code == 200 and "<html" in page.text
    assert f'value="{huge}"' in page.text and 'value="-3"' in page.text and 'value="abc"' in page.text
    assert page.text.count('aria-invalid="true"') >= 4


def test_entries_are_added_and_removed(every_kind, applicant, temara):
    dossier = filing.start_draft(applicant, every_kind, commune=temara)
    client = signed_in(applicant)
    save = reverse("procedures:save", args=[dossier.pk])
    added = client.post(save, {"_form": "1", "lots.entries": "1", "lots.0.area": "12", "_add": "lots"}, **HX)
    assert 'name="lots.1.area"' in added.text and 'value="12"' in added.text
    two = {"_form": "1", "lots.entries": "2", "lots.0.area": "12", "lots.1.area": "30"}
    removed = client.post(save, {**two, "_remove": "lots.0"}, **HX)
    assert 'name="lots.1.area"' not in removed.text and 'name="lots.0.area" value="30"' in removed.text
    dossier.refresh_from_db()
    assert dossier.answers["lots"] == [{"area": "30"}]


def test_any_entry_is_removed_and_the_later_entries_keep_their_files(every_kind, applicant, temara):
    dossier = filing.start_draft(applicant, every_kind, commune=temara)
    first = attachments.attach(dossier, "lots.0.plan", pdf_upload("first.pdf"), by=applicant)
    second = attachments.attach(dossier, "lots.1.plan", pdf_upload("second.pdf"), by=applicant)
    client = signed_in(applicant)
    page = client.get(reverse("procedures:form", args=[dossier.pk]))
    assert 'value="lots.0"' in page.text and 'value="lots.1"' in page.text  # every entry may leave
    removed = client.post(
        reverse("procedures:save", args=[dossier.pk]),
        {"_form": "1", "lots.entries": "2", "lots.0.area": "12", "lots.1.area": "30", "_remove": "lots.0"},
    )
    assert removed.status_code == 200 and 'name="lots.0.area" value="30"' in removed.text
    assert 'name="lots.1.area"' not in removed.text
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.removed_at is not None  # the entry's own file left with it
    assert second.removed_at is None and second.path == "lots.0.plan"  # the next one's followed it
    assert "second.pdf" in removed.text.split('id="f-lots-0-plan-block"')[1].split("</fieldset>")[0]


def test_a_file_is_attached_shown_and_removed(draft, applicant):
    client = signed_in(applicant)
    attached = client.post(reverse("procedures:attach", args=[draft.pk]), {"upload.plans": pdf_upload()}, **HX)
    attachment = Attachment.objects.get(dossier=draft)
    assert attached.status_code == 200 and 'id="f-plans-block"' in attached.text and "plans.pdf" in attached.text
    assert reverse("procedures:attachment", args=[attachment.pk]) in attached.text
    opened = client.get(reverse("procedures:attachment", args=[attachment.pk]))
    assert opened.status_code == 200 and b"".join(opened.streaming_content).startswith(b"%PDF")
    removed = client.post(reverse("procedures:remove_attachment", args=[attachment.pk]), **HX)
    assert removed.status_code == 200 and "plans.pdf" not in removed.text
    attachment.refresh_from_db()
    assert attachment.removed_at is not None


def test_a_file_that_is_not_a_pdf_nor_an_image_is_refused_beside_its_field(draft, applicant):
    fake = SimpleUploadedFile("plans.pdf", b"MZ not a pdf at all", content_type="application/pdf")
    refused = signed_in(applicant).post(reverse("procedures:attach", args=[draft.pk]), {"upload.plans": fake}, **HX)
    assert refused.status_code == 200 and 'class="errorlist"' in refused.text
    assert not Attachment.objects.exists()


def test_a_file_for_no_field_is_refused_with_a_message(draft, applicant):
    client = signed_in(applicant)
    refused = client.post(reverse("procedures:attach", args=[draft.pk]), {"path": "passport", "file": pdf_upload()})
    assert refused.status_code == 302 and not Attachment.objects.exists()
    assert (
        client.post(reverse("procedures:attach", args=[draft.pk]), {"upload.../x": pdf_upload()}, **HX).status_code
        == 400
    )


def test_without_script_a_file_is_attached_and_the_answers_kept(draft, applicant):
    page = signed_in(applicant).post(
        reverse("procedures:attach", args=[draft.pk]),
        {"_form": "1", "path": "plans", "upload.plans": pdf_upload(), "area": "75"},
    )
    assert page.status_code == 200 and "plans.pdf" in page.text and 'value="75"' in page.text
    draft.refresh_from_db()
    assert draft.answers["area"] == "75.00" and draft.answers["plans"]


def test_the_civil_status_link_fills_the_names_from_the_register(draft, applicant, applicant_act, birth_data):
    client = signed_in(applicant)
    link = reverse("procedures:link", args=[draft.pk])
    missed = client.post(
        link, {"_form": "1", "applicant.idcs": applicant_act.idcs, "applicant.birth_date": "1990-01-01",
               "applicant.first_name": "Youssef"}, **HX,
    )  # fmt: skip
    assert 'value="1990-01-01"' in missed.text and "aria-invalid" not in missed.text.split('id="f-applicant"')[0]
    assert said("From the civil status register") not in missed.text
    linked = client.post(
        link,
        {
            "_form": "1",
            "applicant.idcs": applicant_act.idcs,
            "applicant.birth_date": birth_data["birth_date"].isoformat(),
            "applicant.first_name": "Youssef",
        },
        **HX,
    )
    assert said("From the civil status register") in linked.text and "El Alaoui" in linked.text
    draft.refresh_from_db()
    assert draft.answers["applicant"]["names"]["family_name_latin"] == "El Alaoui"


def test_filing_an_incomplete_dossier_names_each_fault_and_keeps_what_was_typed(draft, applicant, temara_window):
    page = signed_in(applicant).post(
        reverse("procedures:file", args=[draft.pk]), {"_form": "1", "area": "cent", "site.street": "12 rue Atlas"}
    )
    assert page.status_code == 200 and 'class="panel warning error-summary"' in page.text
    assert 'value="cent"' in page.text and 'value="12 rue Atlas"' in page.text
    for field in ("applicant", "use", "area", "site", "plans"):
        assert f'href="#f-{field}"' in page.text
    draft.refresh_from_db()
    assert draft.state == DossierState.DRAFT


def test_filing_through_the_pages_gives_the_receipt(
    procedure, applicant, applicant_act, birth_data, temara_window, committed
):
    client = signed_in(applicant)
    client.post(reverse("procedures:start", args=[procedure.code]), {"commune": TEMARA_PICKED})
    draft = Dossier.objects.get(applicant=applicant)
    form = client.get(reverse("procedures:form", args=[draft.pk]))
    layout = re.search(r'name="_layout" value="(\w+)"', form.text).group(1)
    typed = client.post(
        reverse("procedures:save", args=[draft.pk]), {"_form": "1", "_layout": layout, "area": "120,5"}, **HX
    )
    assert typed["HX-Reswap"] == "none"
    client.post(
        reverse("procedures:link", args=[draft.pk]),
        {
            "applicant.idcs": applicant_act.idcs,
            "applicant.birth_date": birth_data["birth_date"].isoformat(),
            "applicant.first_name": "Youssef",
        },
    )
    client.post(reverse("procedures:attach", args=[draft.pk]), {"upload.plans": pdf_upload()}, **HX)
    answers = {"_form": "1", "use": "individual_housing", "area": "120,5", "site.commune": TEMARA_PICKED}
    answers["site.street"] = "12 rue Atlas"
    filed = client.post(reverse("procedures:file", args=[draft.pk]), answers, follow=True)
    draft.refresh_from_db()
    assert draft.state == DossierState.FILED and draft.answers["site"]["commune"] == "04.501.01.07"
    assert filed.redirect_chain[-1][0] == reverse("procedures:dossier", args=[draft.pk])
    assert draft.reference in filed.text and reverse("procedures:receipt", args=[draft.pk]) in filed.text
    committed()  # the sealed PDF is stored once its record has committed
    receipt = client.get(reverse("procedures:receipt", args=[draft.pk]))
    assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(action="document.read", actor=applicant).exists()
    # Filed, the form is no longer offered.
    assert client.get(reverse("procedures:form", args=[draft.pk])).status_code == 302


# The applicant's pages


@pytest.mark.parametrize(("language", "side"), [("ar", "rtl"), ("fr", "ltr")])
def test_the_applicant_reads_their_dossiers_and_one_dossier(filed, applicant, language, side):
    client = signed_in(applicant, language)
    listed = client.get(reverse("procedures:dossiers"))
    assert listed.status_code == 200 and direction(listed) == (language, side) and filed.reference in listed.text
    page = client.get(reverse("procedures:dossier", args=[filed.pk]))
    assert page.status_code == 200 and direction(page) == (language, side)
    assert reverse("procedures:receipt", args=[filed.pk]) in page.text
    assert reverse("procedures:withdraw", args=[filed.pk]) in page.text
    assert 'class="delay"' in page.text  # days left against the legal delay
    assert "El Alaoui" in page.text  # the answers, the register's names among them


def test_the_applicant_writes_and_withdraws(filed, applicant):
    client = signed_in(applicant)
    empty = client.post(reverse("procedures:write", args=[filed.pk]), {"body": "   "})
    assert empty.status_code == 200 and 'class="errorlist"' in empty.text
    sent = client.post(reverse("procedures:write", args=[filed.pk]), {"body": "Bonjour"}, follow=True)
    assert "Bonjour" in sent.text
    client.post(reverse("procedures:withdraw", args=[filed.pk]), {"reason": "Projet abandonné"})
    filed.refresh_from_db()
    assert filed.state == DossierState.WITHDRAWN
    again = client.post(reverse("procedures:withdraw", args=[filed.pk]), {}, follow=True)
    assert again.status_code == 200  # refused with a message, not an error page


def test_nobody_reaches_another_s_dossier(filed, applicant):
    other = signed_in(UserFactory())
    attachment = Attachment.objects.get(dossier=filed)
    for name in ("dossier", "form", "receipt", "decision"):
        assert other.get(reverse(f"procedures:{name}", args=[filed.pk])).status_code == 404, name
    for name in ("save", "file", "attach", "write", "withdraw", "answer", "link"):
        assert other.post(reverse(f"procedures:{name}", args=[filed.pk]), {"body": "x"}).status_code == 404, name
    assert other.get(reverse("procedures:attachment", args=[attachment.pk])).status_code == 404
    assert other.post(reverse("procedures:remove_attachment", args=[attachment.pk])).status_code == 404
    assert other.get(reverse("procedures:review", args=[filed.pk])).status_code == 403


def test_the_pages_of_dossiers_ask_to_sign_in(filed):
    for url in (reverse("procedures:dossiers"), reverse("procedures:dossier", args=[filed.pk])):
        page = anonymous().get(url)
        assert page.status_code == 302 and reverse("accounts:login") in page["Location"]
    assert anonymous().get("/procedures/dossiers/abc/").status_code == 404


# The office


@pytest.mark.parametrize(("language", "side"), [("ar", "rtl"), ("fr", "ltr")])
def test_the_office_reads_its_queue_and_a_dossier(filed, permits_agent, language, side):
    client = signed_in(permits_agent, language)
    queue = client.get(reverse("procedures:queue"))
    assert queue.status_code == 200 and direction(queue) == (language, side)
    assert filed.reference in queue.text and reverse("procedures:review", args=[filed.pk]) in queue.text
    page = client.get(reverse("procedures:review", args=[filed.pk]))
    assert page.status_code == 200 and direction(page) == (language, side)
    assert reverse("procedures:take_up", args=[filed.pk]) in page.text
    assert reverse("procedures:approve", args=[filed.pk]) not in page.text  # the agent does not decide
    assert "El Alaoui" in page.text and "plans.pdf" in page.text
    assert AuditEvent.objects.filter(action="dossier.read", actor=permits_agent).exists()


def test_the_queue_filters_and_highlights_late_dossiers(filed, permits_agent):
    from datetime import timedelta

    from django.utils import timezone

    from raqmana.workflows.models import Clock

    client = signed_in(permits_agent)
    assert filed.reference not in client.get(reverse("procedures:queue"), {"mine": "on"}).text
    assert filed.reference not in client.get(reverse("procedures:queue"), {"state": "under_review"}).text
    assert filed.reference in client.get(reverse("procedures:queue"), {"state": "nonsense", "page": "x"}).text
    Clock.objects.filter(subject_id=str(filed.pk)).update(due_at=timezone.now() - timedelta(days=3))
    late = client.get(reverse("procedures:queue"))
    assert '<tr class="late">' in late.text


def test_an_agent_of_another_commune_finds_nothing(filed, temara):
    elsewhere = Territory.objects.filter(level=Level.COMMUNE).exclude(pk=temara.pk).order_by("code").first()
    AdministrativeUnit.objects.create(
        kind=UnitKind.URBANISM_SERVICE, code=f"URB-{elsewhere.code}", territory=elsewhere, name_ar="x", name_fr="x"
    )
    stranger = UserFactory()
    grant_role(stranger, Role.PERMITS_AGENT, territory=elsewhere, by=None, reason="test")
    client = signed_in(stranger)
    assert filed.reference not in client.get(reverse("procedures:queue")).text
    assert client.get(reverse("procedures:review", args=[filed.pk])).status_code == 404
    assert client.post(reverse("procedures:take_up", args=[filed.pk])).status_code == 404
    assert client.get(reverse("procedures:attachment", args=[filed.attachments.get().pk])).status_code == 404


def test_the_agent_takes_up_and_asks_then_the_president_approves(filed, permits_agent, president, applicant, committed):
    agent = signed_in(permits_agent)
    agent.post(reverse("procedures:take_up", args=[filed.pk]))
    filed.refresh_from_db()
    assert filed.state == DossierState.UNDER_REVIEW and filed.assigned_to == permits_agent
    refused = agent.post(reverse("procedures:request_information", args=[filed.pk]), {"reason": "x", "message": ""})
    assert refused.status_code == 200 and refused.text.count('class="errorlist"') >= 2
    agent.post(
        reverse("procedures:request_information", args=[filed.pk]),
        {"reason": "incomplete", "message": "Ajoutez la façade."},
    )
    agent.post(reverse("procedures:write_office", args=[filed.pk]), {"body": "Note interne", "private": "on"})
    filed.refresh_from_db()
    assert filed.state == DossierState.INFORMATION_REQUESTED
    citizen = signed_in(applicant)
    page = citizen.get(reverse("procedures:dossier", args=[filed.pk]))
    assert "Ajoutez la façade." in page.text and "Note interne" not in page.text
    assert reverse("procedures:form", args=[filed.pk]) in page.text
    form = citizen.get(reverse("procedures:form", args=[filed.pk]))
    assert form.status_code == 200 and reverse("procedures:answer", args=[filed.pk]) in form.text
    answered = citizen.post(reverse("procedures:answer", args=[filed.pk]), {"message": "Voici la façade."})
    assert answered.status_code == 302
    filed.refresh_from_db()
    assert filed.state == DossierState.UNDER_REVIEW
    review_page = signed_in(president).get(reverse("procedures:review", args=[filed.pk]))
    assert reverse("procedures:approve", args=[filed.pk]) in review_page.text
    assert "Note interne" in review_page.text
    signed_in(president).post(reverse("procedures:approve", args=[filed.pk]), {"conditions": "Respecter le recul."})
    filed.refresh_from_db()
    assert filed.state == DossierState.APPROVED and filed.decision is not None
    decided = citizen.get(reverse("procedures:dossier", args=[filed.pk]))
    assert "Respecter le recul." in decided.text and reverse("procedures:decision", args=[filed.pk]) in decided.text
    committed()
    assert citizen.get(reverse("procedures:decision", args=[filed.pk]))["Content-Type"] == "application/pdf"


def test_a_refusal_needs_its_reasons_and_may_be_examined_again(filed, president):
    client = signed_in(president)
    empty = client.post(reverse("procedures:refuse", args=[filed.pk]), {"reasons": "   "})
    assert empty.status_code == 200 and 'class="errorlist"' in empty.text
    client.post(reverse("procedures:refuse", args=[filed.pk]), {"reasons": "Hauteur excessive."})
    filed.refresh_from_db()
    assert filed.state == DossierState.REFUSED
    page = client.get(reverse("procedures:review", args=[filed.pk]))
    assert reverse("procedures:reexamine", args=[filed.pk]) in page.text
    client.post(reverse("procedures:reexamine", args=[filed.pk]), {"reason": "Recours gracieux"})
    filed.refresh_from_db()
    assert filed.state == DossierState.UNDER_REVIEW


def test_a_step_the_person_may_not_take_is_refused_with_a_message(filed, permits_agent):
    client = signed_in(permits_agent)
    refused = client.post(reverse("procedures:approve", args=[filed.pk]), {"conditions": ""})
    assert refused.status_code == 200 and 'class="error"' in refused.text
    client.post(reverse("procedures:take_up", args=[filed.pk]))
    again = client.post(reverse("procedures:take_up", args=[filed.pk]), follow=True)
    assert again.status_code == 200 and 'class="error"' in again.text
    assign = client.post(reverse("procedures:assign", args=[filed.pk]), {"agent": "999999"})
    assert assign.status_code == 200 and 'class="errorlist' in assign.text


def test_a_pending_file_is_not_opened(filed, permits_agent):
    attachment = filed.attachments.get()
    Attachment.objects.filter(pk=attachment.pk).update(scan="pending")
    opened = signed_in(permits_agent).get(reverse("procedures:attachment", args=[attachment.pk]))
    assert opened.status_code == 302 and opened["Location"] == reverse("procedures:review", args=[filed.pk])


def test_garbage_is_answered_without_an_error_page(draft, applicant):
    client = signed_in(applicant)
    save = reverse("procedures:save", args=[draft.pk])
    for garbage in (
        {"_form": "1", "_remove": "zzz"},
        {"_form": "1", "_remove": "lots.x"},
        {"_form": "1", "_add": "nothing"},
        {"_form": "1", "use": ["a", "b"], "site.commune": "·", "area": "1e400"},
        {"_form": "1", "lots.entries": "99999999", "plans": "1", "applicant": "forged"},
        {"_form": "1", "area": "9" * 400, "site.street": "\u202e evil", "notes": "<script>x</script>"},
    ):
        assert client.post(save, garbage).status_code == 200, garbage
        assert client.post(save, garbage, **HX).status_code == 200, garbage
    assert client.post(save, {"_form": "1", "area": "\x00"}).status_code == 400  # the platform's bad input page
    assert client.post(reverse("procedures:attach", args=[draft.pk]), {"path": "plans"}).status_code == 200
    assert client.post(reverse("procedures:link", args=[draft.pk]), {"applicant.birth_date": "x"}).status_code == 200
    assert client.get(reverse("procedures:attachment", args=[999999])).status_code == 404
    assert client.post(reverse("procedures:remove_attachment", args=[999999])).status_code == 404
    assert client.get(reverse("procedures:save", args=[draft.pk])).status_code == 405
