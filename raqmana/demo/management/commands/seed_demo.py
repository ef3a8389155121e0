import io
import math
from base64 import b32encode

import pikepdf
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone, translation
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image, ImageDraw

from raqmana.access.models import RoleAssignment
from raqmana.access.roles import Role
from raqmana.access.services import grant_role
from raqmana.accounts.models import Enterprise, User
from raqmana.accounts.services.enterprises import register_enterprise
from raqmana.accounts.services.sign_up import register_citizen
from raqmana.civil_status.constants import ActKind, EstablishmentKind, Sex
from raqmana.civil_status.models import Act, Establishment
from raqmana.civil_status.services.bulk_load import load_historical_acts
from raqmana.civil_status.services.pre_declarations import file_pre_declaration
from raqmana.civil_status.synthetic import ActGenerator
from raqmana.civil_status_documents.constants import CivilStatusDocument, RequesterRelation
from raqmana.civil_status_documents.services import issue_at_counter
from raqmana.complaints.models import Complaint
from raqmana.complaints.services import file_complaint, forward
from raqmana.documents.models import IssuedDocument
from raqmana.documents.services import verification_url
from raqmana.kernel.scanning import ScannerUnavailable, scan
from raqmana.legalisation import services as legalisation
from raqmana.legalisation.models import LegalisationRequest, Signer
from raqmana.mail_registry.models import MailEntry
from raqmana.mail_registry.services import register_letter
from raqmana.procedures.models import Dossier, Procedure
from raqmana.procedures.services import attachments, filing
from raqmana.procedures.services.windows import open_single_windows
from raqmana.proposals import services as proposals
from raqmana.proposals.models import Proposal
from raqmana.territories.models import CivilStatusOffice, LegalisationOffice, Territory

DEMO_PASSWORD = "raqmana-demo-2026"
DEMO_COMMUNE = "04.501.01.07"  # Témara, prefecture of Skhirate-Témara, region Rabat-Salé-Kénitra
DEMO_ENTERPRISE_ICE = "001537619000093"
DEMO_MIDWIFE = "maternite@demo.raqmana.ma"
DEMO_HISTORICAL_ACTS = 500

# (login, full name, role, where: office / commune / province / region / national)
DEMO_AGENTS = [
    ("agent@demo.raqmana.ma", "Salma Bennani", Role.CIVIL_STATUS_AGENT, "office"),
    ("officier@demo.raqmana.ma", "Youssef El Idrissi", Role.CIVIL_STATUS_OFFICER, "office"),
    ("bureau-ordre@demo.raqmana.ma", "Khadija Amrani", Role.MAIL_REGISTRY_AGENT, "commune"),
    ("urbanisme@demo.raqmana.ma", "Omar Tazi", Role.PERMITS_AGENT, "commune"),
    ("reclamations@demo.raqmana.ma", "Leila Mansouri", Role.COMPLAINTS_HANDLER, "commune"),
    ("legalisation@demo.raqmana.ma", "Zineb Cherkaoui", Role.LEGALISATION_OFFICER, "legalisation"),
    ("superviseur@demo.raqmana.ma", "Ali Zniber", Role.COMPLAINTS_SUPERVISOR, "commune"),
    ("president@demo.raqmana.ma", "Hassan Alaoui", Role.COMMUNE_PRESIDENT, "commune"),
    ("inspecteur@demo.raqmana.ma", "Nadia Berrada", Role.PROVINCIAL_INSPECTOR, "province"),
    ("gouverneur@demo.raqmana.ma", "Rachid Fassi", Role.GOVERNOR_SERVICES, "province"),
    ("agence-urbaine@demo.raqmana.ma", "Samira Kettani", Role.URBAN_AGENCY_AGENT, "province"),
    ("protection-civile@demo.raqmana.ma", "Karim Sebti", Role.CIVIL_PROTECTION_AGENT, "province"),
    ("wali@demo.raqmana.ma", "Latifa Chraibi", Role.WALI_SERVICES, "region"),
    ("dgct@demo.raqmana.ma", "Mehdi Benjelloun", Role.DGCT, "national"),
]
DEMO_CITIZENS = [
    ("citoyen@demo.raqmana.ma", None, "Amina Ouazzani"),
    (None, "+212612345678", "Driss Lahlou"),
]


def samples_pdf():
    """A one-page plan, as an architect's office would send it."""
    document = pikepdf.new()
    document.add_blank_page(page_size=(842, 595))
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def demo_pdf(name):
    return SimpleUploadedFile(name, samples_pdf(), content_type="application/pdf")


def demo_signature():
    """A specimen signature, as a counter's signature pad gives it: a dark stroke on white."""
    image = Image.new("RGB", (480, 160), "white")
    draw = ImageDraw.Draw(image)
    points = [(30 + step * 6, 90 + int(35 * math.sin(step / 4)) - step // 3) for step in range(70)]
    draw.line(points, fill=(20, 30, 90), width=4, joint="curve")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def demo_totp_key(user):
    """The base32 key of the user's demo authenticator, created confirmed on first use."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="Demo authenticator", confirmed=True
    )
    return b32encode(device.bin_key).decode()


class Command(BaseCommand):
    help = "Development only: a demo commune (Témara) with one user per role, then print their logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--logins-only", action="store_true", help="print the demo logins of a database already seeded"
        )

    def handle(self, *args, logins_only=False, verbosity=1, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo creates known passwords: it runs only with RAQMANA_DEBUG=1.")
        try:
            commune = Territory.objects.select_related("parent__parent").get(code=DEMO_COMMUNE)
        except Territory.DoesNotExist:
            raise CommandError("Load the territories first: manage.py load_territories.") from None
        if logins_only:
            agents = [(user, role, demo_totp_key(user)) for user, role in self.demo_agents()]
        else:
            with transaction.atomic():
                agents = self.seed_agents(commune)
                self.seed_citizens(commune)
                agents.append(self.seed_register(commune))
                self.seed_dossiers(commune)
                self.seed_complaints(commune)
                self.seed_mail(commune)
                self.seed_legalisation(commune)
                self.seed_proposals(commune)
        if verbosity:
            with translation.override("en"):  # a terminal table: right-to-left labels would break its columns
                self.print_logins(commune, agents)

    def demo_agents(self):
        """The demo agents already seeded, with their roles (the midwife holds none)."""
        users = {
            user.email: user for user in User.objects.filter(email__in=[a[0] for a in DEMO_AGENTS] + [DEMO_MIDWIFE])
        }
        if len(users) < len(DEMO_AGENTS) + 1:
            raise CommandError("Seed the demo first: manage.py seed_demo.")
        return [(users[email], role) for email, _name, role, _where in DEMO_AGENTS] + [(users[DEMO_MIDWIFE], None)]

    def seed_agents(self, commune):
        places = {
            "office": {"unit": CivilStatusOffice.objects.filter(territory=commune).first()},
            "legalisation": {"unit": LegalisationOffice.objects.filter(territory=commune).first()},
            "commune": {"territory": commune},
            "province": {"territory": commune.parent},
            "region": {"territory": commune.parent.parent},
            "national": {},
        }
        agents = []
        for email, full_name, role, where in DEMO_AGENTS:
            user = User.objects.filter(email=email).first() or User.objects.create_user(
                email, DEMO_PASSWORD, full_name=full_name, preferred_language="ar"
            )
            if role == Role.DGCT and not user.is_superuser:
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
            if not RoleAssignment.objects.active().filter(user=user, role=role).exists():
                grant_role(user, role, by=None, reason="Demo data (manage.py seed_demo)", **places[where])
            agents.append((user, role, demo_totp_key(user)))
        return agents

    def seed_citizens(self, commune):
        for email, phone, full_name in DEMO_CITIZENS:
            exists = User.objects.filter(email=email).exists() if email else User.objects.filter(phone=phone).exists()
            if not exists:
                register_citizen(full_name=full_name, password=DEMO_PASSWORD, email=email, phone=phone)
        # As if each had typed back the code sent to them, so that the demo citizens may order documents.
        now = timezone.now()
        emails = [email for email, _phone, _name in DEMO_CITIZENS if email]
        phones = [phone for _email, phone, _name in DEMO_CITIZENS if phone]
        for user in User.objects.filter(email__in=emails, email_verified_at=None):
            user.email_verified_at = now
            user.save(update_fields=["email_verified_at"])  # a save: what is kept of the person is read again
        for user in User.objects.filter(phone__in=phones, phone_verified_at=None):
            user.phone_verified_at = now
            user.save(update_fields=["phone_verified_at"])
        if not Enterprise.objects.filter(ice=DEMO_ENTERPRISE_ICE).exists():
            register_enterprise(
                ice=DEMO_ENTERPRISE_ICE,
                legal_name="Atlas Bâtiment SARL",
                commune=commune,
                representative=User.objects.get(email=DEMO_CITIZENS[0][0]),
                trade_register_number="RC Rabat 123456",
                address="12, avenue Hassan II, Témara",
            )

    def seed_register(self, commune):
        """A maternity that pre-declares, one pending pre-declaration, and synthetic acts to search."""
        midwife = User.objects.filter(email=DEMO_MIDWIFE).first() or User.objects.create_user(
            DEMO_MIDWIFE, DEMO_PASSWORD, full_name="Zineb Haddad", preferred_language="ar"
        )
        hospital, created = Establishment.objects.get_or_create(
            name_fr="Maternité de Témara",
            defaults={"kind": EstablishmentKind.HEALTH, "name_ar": "دار الولادة تمارة", "commune": commune},
        )
        hospital.members.add(midwife)
        if created:
            file_pre_declaration(
                hospital,
                {
                    "kind": ActKind.BIRTH,
                    "sex": Sex.FEMALE,
                    "first_name_ar": "سلمى",
                    "family_name_ar": "الإدريسي",
                    "father_name_ar": "يوسف",
                    "mother_name_ar": "خديجة",
                    "event_date": timezone.localdate(),
                    "place_detail": "جناح الولادة",
                },
                by=midwife,
            )
            office = CivilStatusOffice.objects.filter(territory=commune).first()
            generator = ActGenerator([commune], {commune.pk: office.pk}, seed=7)
            officer = User.objects.get(email="officier@demo.raqmana.ma")
            load_historical_acts(
                [generator.birth(officer.pk) for _ in range(DEMO_HISTORICAL_ACTS)],
                by=officer,
                reason="Demo data (manage.py seed_demo)",
            )
            act = Act.objects.filter(office=office, kind=ActKind.BIRTH).order_by("pk").first()
            issue_at_counter(
                act,
                CivilStatusDocument.BIRTH_EXTRACT,
                office=office,
                by=User.objects.get(email=DEMO_AGENTS[0][0]),
                requester={"name": f"{act.first_name_ar} {act.family_name_ar}", "relation": RequesterRelation.HOLDER},
                purpose="Demo",
            )
        return midwife, None, demo_totp_key(midwife)

    def seed_dossiers(self, commune):
        """A small building permit filed by the demo citizen (the office's queue has it), once the procedures are
        loaded (manage.py load_procedures) and the single windows open (manage.py open_single_windows)."""
        procedure = Procedure.objects.filter(code="building_permit_small", published=True).first()
        citizen = User.objects.get(email=DEMO_CITIZENS[0][0])
        if procedure is None or Dossier.objects.filter(applicant=citizen).exists():
            return
        open_single_windows()
        act = Act.objects.filter(kind=ActKind.BIRTH, office__territory=commune).exclude(idcs="").order_by("pk").first()
        draft = filing.start_draft(citizen, procedure, commune=commune)
        filing.link_civil_status(
            draft, by=citizen, idcs=act.idcs, birth_date=act.birth_date, first_name=act.first_name_ar
        )
        plan = samples_pdf()
        for field in ("architect_plans", "topographic_survey", "ownership_deed"):
            attachments.attach(draft, field, SimpleUploadedFile(f"{field}.pdf", plan), by=citizen)
        filing.save_answers(
            draft,
            {
                "acting_as": "owner",
                "works_kind": "new_building",
                "use": "individual_housing",
                "land_status": "unregistered",
                "project_address": {"commune": commune.code, "street": "14, rue Al Massira"},
                "location": {"lat": 33.9287, "lon": -6.9063},
                "plot_area": "240",
                "covered_area": "160",
                "floors": [{"level": "0", "floor_area": "160", "floor_use": "housing"}],
                "architect_name": "Bureau d'architecture Atlas",
                "architect_number": "CNOA-4521",
            },
            by=citizen,
        )
        filing.file_dossier(draft, by=citizen)
        filing.start_draft(citizen, Procedure.objects.get(code="public_domain_occupation"), commune=commune)

    def seed_complaints(self, commune):
        """Two requests of the demo citizen to Témara's services, one forwarded (the handlers' queue has them)."""
        citizen = User.objects.get(email=DEMO_CITIZENS[0][0])
        if Complaint.objects.filter(complainant=citizen).exists():
            return
        complaint, _code = file_complaint(
            by=citizen,
            kind="complaint",
            category="cleanliness",
            collectivity=commune,
            subject="Ordures non ramassées rue Al Massira",
            text="Les conteneurs de la rue Al Massira ne sont plus vidés depuis dix jours.",
        )
        file_complaint(
            by=citizen,
            kind="suggestion",
            category="roads",
            collectivity=commune,
            subject="Passage piéton devant l'école",
            text="Un passage piéton devant l'école primaire Ibn Khaldoun protégerait les enfants.",
        )
        handler = User.objects.get(email="reclamations@demo.raqmana.ma")
        forward(complaint, by=handler, forwarded_to="Service de la propreté et de l'hygiène")

    def seed_mail(self, commune):
        """An incoming letter of the urban agency and the commune's answer, in Témara's mail registry."""
        if MailEntry.objects.filter(commune=commune).exists():
            return
        clerk = User.objects.get(email="bureau-ordre@demo.raqmana.ma")
        incoming = register_letter(
            by=clerk,
            commune=commune,
            direction="incoming",
            correspondent="Agence urbaine de Skhirate-Témara",
            subject="Avis sur le projet de lotissement Al Amal",
            routed_to="Service de l'urbanisme",
        )
        register_letter(
            by=clerk,
            commune=commune,
            direction="outgoing",
            correspondent="Agence urbaine de Skhirate-Témara",
            subject="Transmission des pièces complémentaires du lotissement Al Amal",
            in_reply_to=incoming,
        )

    def seed_legalisation(self, commune):
        """The demo citizen enrolled at Témara's legalisation office (their card number on their account), a signature
        of theirs prepared online and a copy certified at the counter. Files are scanned first: without a virus
        scanner, nothing is seeded (said on the terminal)."""
        citizen = User.objects.get(email=DEMO_CITIZENS[0][0])
        if Signer.objects.filter(account=citizen).exists() or LegalisationRequest.objects.exists():
            return
        try:
            scan(b"demo")
        except ScannerUnavailable:
            self.stderr.write("No ClamAV daemon: the legalisation demo (enrolment, requests) is not seeded.")
            return
        officer = User.objects.get(email="legalisation@demo.raqmana.ma")
        office = LegalisationOffice.objects.get(territory=commune)
        if not citizen.national_id:
            citizen.national_id = "BK654321"
            citizen.save(update_fields=["national_id"])
        legalisation.enrol_signer(
            by=officer, office=office, national_id=citizen.national_id, full_name=citizen.full_name,
            specimen=SimpleUploadedFile("specimen.png", demo_signature(), content_type="image/png"),
        )  # fmt: skip
        legalisation.prepare_request(
            by=citizen,
            service="signature",
            office=office,
            document=legalisation.Document(
                subject="Engagement de location", file=demo_pdf("engagement.pdf"), stamp_page=1,
                stamp_place="bottom_left",
            ),
        )  # fmt: skip
        legalisation.legalise_at_counter(
            by=officer, office=office, service="copy", national_id="CD43210", requester_name="Fatima Zahra Kabbaj",
            document=legalisation.Document(
                subject="Diplôme de licence", file=demo_pdf("diplome.pdf"), stamp_page=1, stamp_place="bottom_right",
                copies=2,
            ),
            identity_checked=True, duty_receipt="ET-2026-000417",
        )  # fmt: skip

    def seed_proposals(self, commune):
        """Two proposals of Témara's president: one adopted by the DGCT (a good practice), one under study and
        supported by the prefecture's governor's services, with a comment."""
        if Proposal.objects.exists():
            return
        president = User.objects.get(email="president@demo.raqmana.ma")
        dgct = User.objects.get(email="dgct@demo.raqmana.ma")
        governor = User.objects.get(email="gouverneur@demo.raqmana.ma")
        adopted = proposals.submit(
            by=president,
            collectivity=commune,
            procedure=Procedure.objects.filter(code="public_domain_occupation").first(),
            title="Autorisation d'occupation temporaire sans déplacement",
            problem="Le commerçant dépose le dossier au guichet puis revient chercher l'autorisation signée.",
            proposal="Déposer le dossier en ligne, payer la redevance en ligne et recevoir l'autorisation scellée.",
        )
        proposals.move(adopted, by=dgct, to_state="under_study")
        proposals.move(
            adopted, by=dgct, to_state="adopted", outcome="Adoptée : la procédure est publiée au catalogue national."
        )
        studied = proposals.submit(
            by=president,
            collectivity=commune,
            title="Attestation de résidence sans enquête sur place",
            problem="L'attestation de résidence demande trois déplacements du citoyen et une enquête.",
            proposal="Croiser la demande avec les données déjà détenues par l'administration (« une seule fois »).",
        )
        proposals.support(studied, by=governor)
        proposals.comment(studied, by=governor, text="La préfecture appuie : les communes voisines le demandent aussi.")
        proposals.move(studied, by=dgct, to_state="under_study")

    def print_logins(self, commune, agents):
        write = self.stdout.write
        write(f"\nDemo commune: {commune.name_fr} ({commune.code}). Every demo password: {DEMO_PASSWORD}")
        write("Agents sign in with a TOTP code: add the key to an authenticator app, or run")
        write("  .venv/bin/python manage.py demo_totp EMAIL\n")
        for user, role, key in agents:
            label = Role(role).label if role else "Maternity (pre-declarations)"
            write(f"  {user.email:32} {label:36} TOTP key {key}")
        for email, phone, _full_name in DEMO_CITIZENS:
            write(f"  {email or phone:32} Citizen")
        write(f"\nAdministration (DGCT): {settings.RAQMANA_PUBLIC_URL}/admin/ as {DEMO_AGENTS[-1][0]}")
        document = IssuedDocument.objects.order_by("pk").first()
        if document is not None:
            write(f"A sealed demo extract, to verify: {verification_url(document.verification_code)}")
        write("")
