"""Building permits in Debian's Chromium, through the pages only, each person signing in (agents with their TOTP
code): a large project filed by an architect for the owner, referred to the commission by the permits agent, each
permanent member's opinion given from their own pages, approved by the president, its construction tax paid through
the simulated gateway, the decision downloaded and verified on the public page; a small project approved by
silence once its 10 days have run out, its attestation downloaded by the applicant. Then the commission's, the
meetings', the exports' and the public figures' pages in Arabic and French, on a wide screen and a phone: nothing
wider than the screen, every input labelled; with RAQMANA_SCREENSHOTS set, each is photographed into
var/screens/procedures/."""

import re
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from raqmana.access.roles import Role
from raqmana.access.services import grant_role
from raqmana.accounts.models import User
from raqmana.civil_status.constants import ActKind
from raqmana.civil_status.services.acts import draft_act, sign_act
from raqmana.kernel.tests import samples
from raqmana.kernel.tests.browsers import PHONE, WIDE, photograph
from raqmana.procedures.constants import CommissionMember, DossierState
from raqmana.procedures.loading import load_definitions
from raqmana.procedures.models import Dossier, DossierExport, Opinion, Procedure
from raqmana.procedures.services import attachments as attachment_services
from raqmana.procedures.services import commission, exports, filing, review
from raqmana.territories.constants import UnitKind
from raqmana.territories.models import AdministrativeUnit, Territory
from raqmana.workflows.services import run_due_clocks

pytestmark = pytest.mark.browser

PASSWORD = "raqmana-journey-2026"
TEMARA = "04.501.01.07"


# The scene: Témara's single window, its people, the architect's birth act


def person(email, full_name, role=None, **place):
    user = User.objects.create_user(email, PASSWORD, full_name=full_name, preferred_language="fr")
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    if role is not None:
        grant_role(user, role, by=None, reason="Journey", **place)
        TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=True)
    return user


@pytest.fixture
def scene(territories_in_transactional_db, temara_office, agent, officer, birth_data):
    """The shipped building permits, Témara's urbanism single window (Témara runs its own), the permits agent, the
    governor's services and the urban agency of the prefecture, the president, and an architect with a birth act."""
    report = load_definitions()
    assert Procedure.objects.filter(code__in=["building_permit_large", "building_permit_small"]).count() == 2, report
    temara = Territory.objects.get(code=TEMARA)
    window = AdministrativeUnit.objects.create(
        kind=UnitKind.URBANISM_SERVICE, code=f"URB-{TEMARA}", territory=temara,
        name_ar="الشباك الوحيد للتعمير بجماعة تمارة", name_fr="Guichet unique d'urbanisme de la commune de Témara",
    )  # fmt: skip
    born = {**birth_data, "birth_date": date(1986, 4, 12), "declared_on": date(1986, 4, 15)}
    born["mother_birth_date"] = date(1960, 2, 1)
    act = sign_act(draft_act(temara_office, ActKind.BIRTH, born, by=agent), by=officer)
    return {
        "temara": temara,
        "window": window,
        "act": act,
        "architect": person("architecte@journey.ma", "Youssef El Alaoui"),
        "owner": person("proprietaire@journey.ma", "Amina Ouazzani"),
        "permits_agent": person("urbanisme@journey.ma", "Omar Tazi", Role.PERMITS_AGENT, territory=temara),
        "governor": person("gouverneur@journey.ma", "Rachid Fassi", Role.GOVERNOR_SERVICES, territory=temara.parent),
        "agency": person("agence@journey.ma", "Samira Kettani", Role.URBAN_AGENCY_AGENT, territory=temara.parent),
        "president": person("president@journey.ma", "Hassan Alaoui", Role.COMMUNE_PRESIDENT, territory=temara),
    }


def current_code(user):
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def signed_in(browser, live_server, user, language="fr", viewport=WIDE):
    """A browser of its own for `user`, who signs in through the pages (an agent with the code of their TOTP)."""
    context = browser.new_context(viewport=viewport, locale="ar-MA")
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.goto(live_server.url + reverse("accounts:login"))
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        expect(page).to_have_url(re.compile(r"/accounts/two-factor/"))
        page.locator("#id_token").fill(current_code(user))
        page.locator("#id_token").press("Enter")
    expect(page).not_to_have_url(re.compile(r"/accounts/"))
    return page


def pdf_file(name):
    return {"name": name, "mimeType": "application/pdf", "buffer": samples.pdf(b"BT /F1 12 Tf (plan) Tj ET")}


def upload(page, field, name):
    """A file chosen for a file field: sent at once (htmx), then listed in its field."""
    page.locator(f"#f-{field}").set_input_files(files=[pdf_file(name)])
    expect(page.locator(f"#f-{field}-block .attachments")).to_contain_text(name)


def start(page, live_server, code):
    """From the catalogue to a new draft of the procedure `code`, for a project in Témara."""
    page.goto(live_server.url + reverse("procedures:catalogue"))
    page.locator(f'a[href="{reverse("procedures:procedure", args=[code])}"]').first.click()
    page.locator(f'a[href="{reverse("procedures:start", args=[code])}"]').click()
    page.locator("#id_commune").press_sequentially("تمار")
    suggestion = page.locator("#id_commune-options option").first
    expect(suggestion).to_be_attached()
    page.locator("#id_commune").fill(suggestion.get_attribute("value"))
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/procedures/dossiers/\d+/edit/$"))
    return Dossier.objects.get(pk=re.search(r"/dossiers/(\d+)/", page.url).group(1))


def link_civil_status(page, scene):
    """The applicant names their birth act: the register gives their names, no identity card is uploaded."""
    act = scene["act"]
    page.locator("#f-applicant-idcs").fill(act.idcs)
    page.locator("#f-applicant-birth_date").fill(act.birth_date.isoformat())
    page.locator("#f-applicant-first_name").fill("Youssef")
    page.locator("#f-applicant button").click()
    expect(page.locator("#f-applicant .from-register")).to_be_visible()


def site(page, *, street):
    page.locator("#f-project_address-commune").press_sequentially("تمار")
    suggestion = page.locator("#f-project_address-commune-options option").first
    expect(suggestion).to_be_attached()
    page.locator("#f-project_address-commune").fill(suggestion.get_attribute("value"))
    page.locator("#f-project_address-street").fill(street)
    page.locator("#f-location-lat").fill("33.9287")
    page.locator("#f-location-lon").fill("-6.9063")


def settled(page):
    """Once the form's last save as one types is done: a save follows the last key by a second."""
    page.wait_for_timeout(1200)
    expect(page.locator(".htmx-request")).to_have_count(0)


def file_it(page):
    settled(page)
    page.locator(".form-actions button").first.click()  # "File the dossier"
    expect(page).to_have_url(re.compile(r"/procedures/dossiers/\d+/$"))
    expect(page.locator("h1 bdi")).to_be_visible()  # its number, from the receipt


def give_opinion(page, dossier, verdict, text="", files=()):
    """A member opens the commission's page from the menu, then the dossier, and gives its opinion."""
    page.locator(".site-header nav").get_by_role("link", name=re.compile("Commission")).click()
    expect(page).to_have_url(re.compile(r"/procedures/commission/$"))
    page.locator(f'a[href="{reverse("procedures:member_dossier", args=[dossier.pk])}"]').first.click()
    form = page.locator("section.give-opinion form")
    form.locator(f'input[type=radio][value="{verdict}"]').check()
    if text:
        form.locator("textarea").fill(text)
    if files:
        form.locator("input[type=file]").set_input_files(files=[pdf_file(name) for name in files])
    form.locator("button[type=submit]").click()
    expect(page.locator(".messages .success")).to_be_visible()
    expect(page.locator("section.give-opinion")).to_have_count(0)  # given: its form is no longer offered
    return page


# (a) A large project, from the architect's filing to the decision verified


def test_a_large_project_from_its_filing_to_its_decision_verified(browser, live_server, scene):
    architect = signed_in(browser, live_server, scene["architect"])
    dossier = start(architect, live_server, "building_permit_large")
    link_civil_status(architect, scene)
    architect.locator("#f-acting_as-3").check()  # authorised by the owner: the owner's consent is asked
    expect(architect.locator("#f-owner_consent")).to_be_attached()
    architect.locator("#f-project_kind-1").check()  # a large building
    architect.locator("#f-project_name").fill("Immeuble Atlas")
    site(architect, street="Zone industrielle, lot 12")
    architect.locator("#f-land_status-1").check()  # registered: its title number, the certificate obtained
    expect(architect.locator("#f-land_title_number")).to_be_visible()
    architect.locator("#f-land_title_number").fill("12345/63")
    architect.locator("#f-use").select_option("office")
    architect.locator("#f-plot_area").fill("1200")
    architect.locator("#f-covered_area").fill("900")
    architect.locator("#f-floors-0-level").fill("0")
    architect.locator("#f-floors-0-floor_area").fill("450")
    architect.locator("#f-floors-0-floor_use-3").check()
    architect.locator("#f-receives_public-no").check()
    architect.locator("#f-new_connections-no").check()
    architect.locator("#f-architect_name").fill("Youssef El Alaoui")
    architect.locator("#f-architect_number").fill("CNOA-4521")
    architect.locator("#f-engineering_firm").fill("Bureau d'études Atlas")
    for field in ("owner_consent", "architect_plans", "topographic_survey", "structural_studies", "network_plans"):
        upload(architect, field, f"{field}.pdf")
    file_it(architect)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.FILED and dossier.answers["acting_as"] == "authorised"
    expect(architect.locator("main")).to_contain_text(dossier.reference)

    agent = signed_in(browser, live_server, scene["permits_agent"])
    agent.goto(live_server.url + reverse("procedures:queue"))
    agent.locator("table.queue").get_by_role("link", name=dossier.reference).click()
    agent.locator(f'form[action="{reverse("procedures:take_up", args=[dossier.pk])}"] button').click()
    expect(agent.locator(".messages .success")).to_be_visible()
    expect(agent.locator("#commission-title")).to_be_visible()
    expect(agent.locator(".opinions > li")).to_have_count(3)  # the commune, the prefecture, the urban agency
    assert set(Opinion.objects.filter(dossier=dossier).values_list("member", flat=True)) == {
        CommissionMember.COMMUNE,
        CommissionMember.PROVINCE,
        CommissionMember.URBAN_AGENCY,
    }

    give_opinion(agent, dossier, "favourable")  # the permits agent sits for the commune
    agent.context.close()
    give_opinion(signed_in(browser, live_server, scene["governor"]), dossier, "favourable").context.close()
    agency = give_opinion(
        signed_in(browser, live_server, scene["agency"]),
        dossier,
        "conditional",
        "Recul de 5 m sur la voie.",
        ["note.pdf"],
    )
    expect(agency.locator(".opinions")).to_contain_text("Recul de 5 m sur la voie.")
    expect(agency.locator(".opinion.opinion-given")).to_have_count(3)  # every member's, seen at once

    president = signed_in(browser, live_server, scene["president"])
    president.goto(live_server.url + reverse("procedures:review", args=[dossier.pk]))
    expect(president.locator(".opinion.opinion-given")).to_have_count(3)
    president.locator("details", has=president.locator(f'form[action$="/office/{dossier.pk}/approve/"]')).locator(
        "summary"
    ).click()
    president.locator("#id_conditions").fill("Respecter le recul de 5 m demandé par l'agence urbaine.")
    president.locator(f'form[action$="/office/{dossier.pk}/approve/"] button').click()
    expect(president.locator(".messages .success")).to_be_visible()
    dossier.refresh_from_db()
    assert dossier.state == DossierState.AWAITING_PAYMENT and dossier.tax_amount > 0

    architect.goto(live_server.url + reverse("procedures:dossier", args=[dossier.pk]))
    architect.locator(f'form[action="{reverse("procedures:pay", args=[dossier.pk])}"] button').click()
    architect.locator('button[value="pay"]').click()  # the simulated Treasury gateway
    expect(architect).to_have_url(re.compile(rf"/procedures/dossiers/{dossier.pk}/$"))
    download = architect.locator(f'a[href="{reverse("procedures:decision", args=[dossier.pk])}"]')
    expect(download).to_be_visible()
    with architect.expect_download() as downloaded:
        download.click()
    pdf = downloaded.value.path().read_bytes()
    assert pdf.startswith(b"%PDF-")
    dossier.refresh_from_db()
    assert dossier.state == DossierState.APPROVED

    architect.goto(live_server.url + reverse("documents:verify_start"))
    architect.locator("#id_pdf").set_input_files(files=[{"name": "permis.pdf", "mimeType": "application/pdf",
                                                          "buffer": pdf}])  # fmt: skip
    architect.locator('form[enctype="multipart/form-data"] button[type=submit]').click()
    expect(architect.locator(".panel.ok").first).to_be_visible()
    for page in (architect, agency, president):
        page.context.close()


# (b) A small project approved by silence


def test_a_small_project_approved_by_silence_and_its_attestation(browser, live_server, scene):
    owner = signed_in(browser, live_server, scene["architect"], language="ar")
    dossier = start(owner, live_server, "building_permit_small")
    link_civil_status(owner, scene)
    owner.locator("#f-acting_as-1").check()  # the owner
    owner.locator("#f-works_kind-1").check()  # a new building
    site(owner, street="14، زنقة المسيرة")
    owner.locator("#f-land_status-3").check()  # unregistered: its deed
    expect(owner.locator("#f-ownership_deed")).to_be_attached()
    owner.locator("#f-use-1").check()  # individual housing
    owner.locator("#f-plot_area").fill("240")
    owner.locator("#f-covered_area").fill("160")
    owner.locator("#f-floors-0-level").fill("0")
    owner.locator("#f-floors-0-floor_area").fill("160")
    owner.locator("#f-floors-0-floor_use-1").check()
    owner.locator("#f-architect_name").fill("مكتب الهندسة المعمارية أطلس")
    owner.locator("#f-architect_number").fill("CNOA-4521")
    for field in ("ownership_deed", "architect_plans", "topographic_survey"):
        upload(owner, field, f"{field}.pdf")
    file_it(owner)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.FILED and dossier.silence_means_approval

    # Nobody decides: 10 days later the clocks' runner approves it, and its attestation is issued in the background.
    run_due_clocks(now=timezone.now() + timedelta(days=11))
    review.issue_missing_attestations()
    dossier.refresh_from_db()
    assert dossier.state == DossierState.APPROVED_BY_SILENCE and dossier.decision is not None

    owner.goto(live_server.url + reverse("procedures:dossier", args=[dossier.pk]))
    with translation.override("ar"):
        approved, attestation = (
            str(DossierState.APPROVED_BY_SILENCE.label),
            _("Download the attestation of approval by silence"),
        )
    expect(owner.locator(".panel.ok")).to_contain_text(approved)
    link = owner.locator(f'a[href="{reverse("procedures:decision", args=[dossier.pk])}"]')
    expect(link).to_have_text(attestation)
    with owner.expect_download() as downloaded:
        link.click()
    assert downloaded.value.path().read_bytes().startswith(b"%PDF-")
    owner.context.close()


# The new pages, in Arabic and French, wide and on a phone


def large_dossier(scene, *, street):
    """A large project filed through the services, as the architect would through the pages."""
    architect, act = scene["architect"], scene["act"]
    procedure = Procedure.objects.get(code="building_permit_large")
    draft = filing.start_draft(architect, procedure, commune=scene["temara"])
    filing.link_civil_status(draft, by=architect, idcs=act.idcs, birth_date=act.birth_date, first_name="Youssef")
    for field in ("architect_plans", "topographic_survey", "structural_studies", "network_plans"):
        attachment_services.attach(draft, field, _upload(f"{field}.pdf"), by=architect)
    filing.save_answers(
        draft,
        {
            "acting_as": "owner", "project_kind": "large_building", "project_name": "Résidence Atlas",
            "project_address": {"commune": TEMARA, "street": street}, "location": {"lat": "33.92", "lon": "-6.90"},
            "land_status": "titled", "land_title_number": "12345/63", "use": "mixed", "dwellings": "24",
            "plot_area": "1500", "covered_area": "2400",
            "floors": [{"level": "0", "floor_area": "600", "floor_use": "shop"},
                       {"level": "1", "floor_area": "600", "floor_use": "housing"}],
            "receives_public": "no", "new_connections": "no", "architect_name": "Youssef El Alaoui",
            "architect_number": "CNOA-4521", "engineering_firm": "BET Atlas",
        },
        by=architect,
    )  # fmt: skip
    return filing.file_dossier(draft, by=architect)


def _upload(name):
    return SimpleUploadedFile(name, samples.pdf(b"BT /F1 12 Tf (plan) Tj ET"), content_type="application/pdf")


@pytest.fixture
def pages_scene(scene):
    """Two large projects before the commission (one with every opinion in, convened; one awaiting two opinions), a
    small one decided, and an export written: every new page has something to show."""
    agent, governor, agency = scene["permits_agent"], scene["governor"], scene["agency"]
    ready = large_dossier(scene, street="Avenue Hassan II, 12")
    waiting = large_dossier(scene, street="Route de Rabat, km 4")
    for dossier in (ready, waiting):
        review.take_up(dossier, by=agent)
    members = {CommissionMember.COMMUNE: agent, CommissionMember.PROVINCE: governor}
    members[CommissionMember.URBAN_AGENCY] = agency
    for opinion in Opinion.objects.filter(dossier=ready):
        verdict = "conditional" if opinion.member == CommissionMember.URBAN_AGENCY else "favourable"
        text = "Recul de 5 m sur la voie ; hauteur limitée à R+4." if verdict == "conditional" else ""
        commission.give_opinion(opinion, by=members[CommissionMember(opinion.member)], verdict=verdict, text=text)
    agency_opinion = Opinion.objects.get(dossier=waiting, member=CommissionMember.URBAN_AGENCY)
    commission.give_opinion(agency_opinion, by=agency, verdict="unfavourable", text="Hauteur excessive (R+9).")
    commission.convene(scene["window"], by=agent, held_on=timezone.localdate() + timedelta(days=7), place="Salle 2")
    exports.request_export(agent, format="xlsx")
    assert DossierExport.objects.get().state == DossierExport.State.READY  # written at once (immediate backend)
    now = timezone.now()  # decided 18 days after its filing: the figures' bars have a length
    Dossier.objects.filter(pk=ready.pk).update(
        filed_at=now - timedelta(days=18), decided_at=now, state=DossierState.APPROVED
    )
    return {**scene, "ready": ready, "waiting": waiting}


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["wide", "phone"])
@pytest.mark.parametrize("language", ["ar", "fr"])
def test_the_new_pages_read_well(browser, live_server, pages_scene, language, viewport):
    waiting = pages_scene["waiting"]
    visitor = browser.new_context(viewport=viewport, locale="ar-MA")
    visitor.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = visitor.new_page()
    for name, address in (
        ("figures", reverse("procedures:figures") + "?level=commune"),
        ("figures-offices", reverse("procedures:figures") + "?level=office"),
        ("index", reverse("procedures:index")),
        ("catalogue", reverse("procedures:catalogue")),
    ):
        page.goto(live_server.url + address)
        photograph(page, name, language, viewport)
    visitor.close()

    governor = signed_in(browser, live_server, pages_scene["governor"], language, viewport)
    governor.goto(live_server.url + reverse("procedures:opinions"))
    photograph(governor, "opinions", language, viewport)
    governor.goto(live_server.url + reverse("procedures:member_dossier", args=[waiting.pk]))
    expect(governor.locator("section.give-opinion")).to_be_visible()
    photograph(governor, "member-dossier", language, viewport)
    governor.goto(live_server.url + reverse("procedures:meetings"))
    photograph(governor, "meetings", language, viewport)
    governor.context.close()

    agent = signed_in(browser, live_server, pages_scene["permits_agent"], language, viewport)
    agent.goto(live_server.url + reverse("procedures:queue"))
    photograph(agent, "queue", language, viewport)
    agent.goto(live_server.url + reverse("procedures:review", args=[waiting.pk]))
    photograph(agent, "review-opinions", language, viewport)
    agent.goto(live_server.url + reverse("procedures:exports"))
    expect(agent.locator("main progress")).to_be_visible()
    photograph(agent, "exports", language, viewport)
    agent.context.close()
