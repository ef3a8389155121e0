"""Legalisation fixtures: the legalisation offices of Témara and Skhirate, an officer at each, Témara's president, a
citizen with an account carrying their card number, and a PDF of two pages."""

import io
import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from raqmana.access.roles import Role
from raqmana.access.tests.fixtures import holding
from raqmana.accounts.tests.factories import UserFactory
from raqmana.kernel.tests.scanner import clamav, scanner_away  # noqa: F401 (fixtures)
from raqmana.legalisation import services
from raqmana.territories.constants import UnitKind
from raqmana.territories.models import AdministrativeUnit


def office_of(code):
    return AdministrativeUnit.objects.get(kind=UnitKind.LEGALISATION_OFFICE, territory__code=code)


@pytest.fixture
def temara_office(temara):
    return office_of(temara.code)


@pytest.fixture
def skhirate_office(db):
    return office_of("04.501.01.05")


@pytest.fixture
def officer(temara_office):
    return holding(Role.LEGALISATION_OFFICER, "Samira El Idrissi", unit=temara_office)


@pytest.fixture
def skhirate_officer(skhirate_office):
    return holding(Role.LEGALISATION_OFFICER, "Rachid Skhirate", unit=skhirate_office)


@pytest.fixture
def president(temara):
    return holding(Role.COMMUNE_PRESIDENT, "Président de Témara", territory=temara)


@pytest.fixture
def citizen(db):
    return UserFactory(full_name="Ahmed Bennani", national_id="AB123456")


def pdf_pages(count=2, rotate=0):
    """A PDF of `count` A4 pages drawn by Pillow, each turned by `rotate` degrees if asked."""
    import pikepdf

    images = [Image.new("RGB", (620, 877), "white") for _ in range(count)]
    buffer = io.BytesIO()
    images[0].save(buffer, format="PDF", save_all=True, append_images=images[1:], resolution=75)
    if not rotate:
        return buffer.getvalue()
    with pikepdf.open(io.BytesIO(buffer.getvalue())) as pdf:
        for page in pdf.pages:
            page.obj.Rotate = rotate
        output = io.BytesIO()
        pdf.save(output)
    return output.getvalue()


def upload(content=None, name="contrat.pdf"):
    return SimpleUploadedFile(name, pdf_pages() if content is None else content, content_type="application/pdf")


def specimen_image():
    buffer = io.BytesIO()
    Image.new("RGB", (300, 120), "white").save(buffer, format="PNG")
    return SimpleUploadedFile("signature.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def enrolled(officer, temara_office, citizen, request):
    request.getfixturevalue("clamav")  # skipped, saying why, where no virus scanner answers
    return services.enrol_signer(
        by=officer, office=temara_office, national_id="ab 123456", full_name="Ahmed Bennani", specimen=specimen_image()
    )


def document(**changes):
    given = {"subject": "Engagement de location", "file": upload(), "stamp_page": 2, "stamp_place": "bottom_left"}
    return services.Document(**{**given, **changes})


def qr_address(pdf, page):
    """The address the QR code on page `page` (from 1) of `pdf` holds, read back as a phone would from the page
    rendered at 150 dpi; the test is skipped, saying why, where poppler or zbar are missing."""
    if not (shutil.which("pdftoppm") and shutil.which("zbarimg")):
        pytest.skip("pdftoppm and zbarimg are not installed (apt-get install poppler-utils zbar-tools)")
    image = subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-f", str(page), "-l", str(page), "-"], input=pdf, capture_output=True
    ).stdout
    return subprocess.run(["zbarimg", "--raw", "-q", "-"], input=image, capture_output=True).stdout.decode().strip()
