"""Seals that still validate when the office's certificate has expired: PAdES B-LT, an RFC 3161 time stamp of the
signature and, in the document, the chains and CRLs that validate the office's and the TSA's certificates."""

import asyncio
import datetime
import hashlib
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from asn1crypto import core, tsp
from asn1crypto import keys as asn1_keys
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.general import find_unique_cms_attribute
from pyhanko.sign.validation import DocumentSecurityStore, async_validate_pdf_signature
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from raqmana.civil_status_documents.constants import CivilStatusDocument
from raqmana.civil_status_documents.services import issue_at_counter
from raqmana.civil_status_documents.tests.conftest import HOLDER
from raqmana.documents import pki, signing
from raqmana.documents.signing import check_seal, seal_pdf, time_stamp_of
from raqmana.documents.tests.test_pdf import a_page, rendered
from raqmana.documents.timestamping import InProcessTimeStamper, development_tsa_answer

pytestmark = pytest.mark.django_db


def issue(act, agent, office, kind=CivilStatusDocument.BIRTH_EXTRACT):
    return issue_at_counter(act, kind, office=office, by=agent, requester=HOLDER, purpose="Test")


def embedded_signature(pdf):
    return PdfFileReader(io.BytesIO(pdf)).embedded_signatures[-1]


def validate_offline(pdf, *, extra_crls=()):
    """pyHanko's own validation, strict: a CRL or OCSP answer required for every certificate below the root, and
    only what the document's security store holds (and `extra_crls`), nothing fetched."""
    signature = embedded_signature(pdf)
    store = DocumentSecurityStore.read_dss(signature.reader)
    context = ValidationContext(
        trust_roots=pki.trust_roots(),
        other_certs=list(store.load_certs()),
        crls=[crl.get_object().data for crl in store.crls] + list(extra_crls),
        ocsps=[answer.get_object().data for answer in store.ocsps],
        allow_fetching=False,
        revocation_mode="require",
    )
    return asyncio.run(async_validate_pdf_signature(signature, context))


def test_an_issued_document_validates_offline_as_long_term_with_its_time_stamp(birth_act, agent, temara_office):
    document = issue(birth_act, agent, temara_office)
    pdf = document.pdf.read()
    status = validate_offline(pdf)
    assert status.bottom_line, status.pretty_print_details()
    assert status.timestamp_validity.valid and status.timestamp_validity.trusted
    assert status.timestamp_validity.timestamp == document.seal_timestamp
    assert document.seal_timestamp_authority == pki.TSA_NAME
    # What makes it long-term: the chains and the CRL of both certificates, in the document.
    store = DocumentSecurityStore.read_dss(embedded_signature(pdf).reader)
    names = {certificate.subject.native["common_name"] for certificate in store.load_certs()}
    assert {pki.CA_NAME, pki.TSA_NAME, f"{temara_office.name_fr} ({temara_office.code})"} <= names
    assert len(store.crls) == 1
    seal = check_seal(pdf)
    assert seal.valid and seal.time_stamp.time == document.seal_timestamp
    assert embedded_signature(pdf).evaluate_signature_coverage().name == "ENTIRE_FILE"  # the DSS is signed too


def test_the_long_term_seal_validates_in_poppler_too(birth_act, agent, temara_office, tmp_path, settings):
    if not (shutil.which("pdfsig") and shutil.which("certutil")):
        pytest.skip(
            "poppler's pdfsig and NSS's certutil are not installed (apt-get install poppler-utils libnss3-tools)"
        )
    path = tmp_path / "document.pdf"
    path.write_bytes(issue(birth_act, agent, temara_office).pdf.read())
    nss = f"sql:{tmp_path}"
    subprocess.run(["certutil", "-N", "-d", nss, "--empty-password"], check=True, capture_output=True)
    ca = Path(settings.RAQMANA_PKI_DIR) / "ca.cert.pem"
    subprocess.run(
        ["certutil", "-A", "-d", nss, "-n", "raqmana", "-t", "C,C,C", "-i", ca], check=True, capture_output=True
    )
    report = subprocess.run(["pdfsig", "-nssdir", nss, path], capture_output=True, text=True, check=True).stdout
    assert "Signature is Valid." in report and "Certificate is Trusted." in report, report
    assert "Total document signed" in report
    assert "Signature Type: ETSI.CAdES.detached" in report


@pytest.fixture
def own_pki(tmp_path, settings):
    """A development CA of the test's own: revoking its certificates leaves the other tests' CA alone."""
    settings.RAQMANA_PKI_DIR = str(tmp_path / "pki")


@pytest.mark.parametrize(("revoked_minutes_after_the_seal", "valid"), [(-1, False), (1, True)])
def test_a_certificate_revoked_before_the_time_stamp_fails_one_revoked_after_does_not(
    own_pki, birth_act, agent, temara_office, revoked_minutes_after_the_seal, valid
):
    document = issue(birth_act, agent, temara_office)
    pdf = document.pdf.read()
    assert check_seal(pdf).valid
    office_certificate = embedded_signature(pdf).signer_cert
    revoked_at = document.seal_timestamp + datetime.timedelta(minutes=revoked_minutes_after_the_seal)
    pki.revoke_development_certificate(office_certificate.serial_number, revoked_at=revoked_at)
    crl = x509.load_der_x509_crl(pki.development_crl())
    assert crl.get_revoked_certificate_by_serial_number(office_certificate.serial_number) is not None

    assert check_seal(pdf).valid is valid
    if not valid:  # pyHanko's own validation (now, not as of the time stamp) says so too
        assert not validate_offline(pdf, extra_crls=[pki.development_crl()]).bottom_line


def test_a_revoked_office_certificate_seals_nothing(own_pki, birth_act, agent, temara_office):
    pdf = issue(birth_act, agent, temara_office).pdf.read()
    revoked_at = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=1)
    pki.revoke_development_certificate(embedded_signature(pdf).signer_cert.serial_number, revoked_at=revoked_at)
    with translation.override("en"), pytest.raises(ValidationError, match="cannot be validated"):
        issue(birth_act, agent, temara_office)


def test_the_verification_page_shows_the_time_stamp(client, birth_act, agent, temara_office):
    document = issue(birth_act, agent, temara_office)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("documents:verify", args=[document.verification_code]))
    text = page.content.decode()
    assert "time-stamped" in text and "the development time-stamping authority of Raqmana" in text
    assert str(document.seal_timestamp.astimezone().year) in text


@pytest.mark.parametrize("language", ["ar", "fr"])
def test_the_seal_is_said_in_words_of_the_page_language(client, birth_act, agent, temara_office, language):
    """The office whose seal it is and the time-stamping authority, never a certificate's English subject."""
    document = issue(birth_act, agent, temara_office)
    client.cookies["django_language"] = language
    text = client.get(reverse("documents:verify", args=[document.verification_code])).content.decode()
    office = temara_office.name_ar if language == "ar" else temara_office.name_fr
    sealed = {"ar": "يحمل الخاتم الإلكتروني لـ", "fr": "Il porte le cachet électronique du "}[language]
    assert f"{sealed}{office}" in text.replace("&#x27;", "'")
    assert pki.TSA_NAME not in text and pki.CA_NAME not in text


def nested_arrays_pdf(depth):
    """A well-formed PDF whose catalogue holds arrays nested `depth` deep."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R /Deep " + b"[" * depth + b"]" * depth + b" >>"]
    objects.append(b"<< /Type /Pages /Kids [] /Count 0 >>")
    pdf, offsets = b"%PDF-1.7\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return pdf + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def minimal_pdf():
    return rendered(a_page())


@pytest.mark.parametrize(
    "pdf",
    [nested_arrays_pdf(50_000), b"%PDF-1.7\n" + b"\x00" * 100, b"%PDF-1.7\ntrailer\n<< /Root 1 0 R >>\n%%EOF"],
    ids=["arrays-nested-50000-deep", "garbage", "no-objects"],
)
def test_an_unreadable_pdf_is_not_signed_never_an_error(pdf):
    assert not check_seal(pdf).signed


def test_the_development_ca_publishes_its_crl_where_its_certificates_say(client, temara_office):
    certificate = x509.load_der_x509_certificate(pki.signer_for(temara_office).signing_cert.dump())
    points = certificate.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert points[0].full_name[0].value == pki.development_crl_url()
    response = client.get(reverse("documents:crl"))
    assert response["Content-Type"] == "application/pkix-crl"
    crl = x509.load_der_x509_crl(response.content)
    assert crl.issuer.rfc4514_string() == certificate.issuer.rfc4514_string()


def test_office_certificates_issued_before_the_crl_are_certified_again(own_pki, settings, temara_office):
    """A development PKI made before this change: the office's key is kept, its certificate issued again."""
    ca_certificate, ca_key = pki._development_ca()
    directory = Path(settings.RAQMANA_PKI_DIR) / "offices"
    signer = pki.signer_for(temara_office)
    key_path = directory / f"{temara_office.code}.key.pem"
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    old = pki._certificate(pki._name("Old"), key.public_key(), ca_certificate.subject, ca_key, is_ca=False)
    (directory / f"{temara_office.code}.cert.pem").write_bytes(old.public_bytes(serialization.Encoding.PEM))
    old_signer = pki.OfficeKeySigner(
        signing_cert=pki._to_asn1(old),
        signing_key=asn1_keys.PrivateKeyInfo.load(pki._pkcs8(key, serialization.Encoding.DER)),
        cert_registry=SimpleCertificateStore.from_certs(pki.trust_roots()),
    )
    metadata = signers.PdfSignatureMetadata(field_name=signing.SIGNATURE_FIELD, subfilter=SigSeedSubFilter.PADES)
    sealed_before = signing._run(signing._seal(minimal_pdf(), metadata, old_signer, None)).pdf  # B-B, as before
    pki._signer.cache_clear()

    reissued = pki.signer_for(temara_office).signing_cert
    assert reissued.public_key.dump() == signer.signing_cert.public_key.dump()
    assert reissued.crl_distribution_points  # names the CRL now
    assert check_seal(seal_pdf(minimal_pdf(), temara_office, reason="Test").pdf).valid
    seal = check_seal(sealed_before)
    assert seal.valid and seal.time_stamp is None


def test_the_development_tsa_answers_over_http(live_server, territories_in_transactional_db, settings, temara_office):
    """The real RFC 3161 exchange: pyHanko's HTTP client, the TSA view of a running server."""
    settings.RAQMANA_TSA_URL = live_server.url + reverse("documents:tsa")
    seal = seal_pdf(minimal_pdf(), temara_office, reason="Test")
    assert seal.time_stamp.authority == pki.TSA_NAME
    assert check_seal(seal.pdf).time_stamp == seal.time_stamp


def refusal(answer):
    """The status of a TimeStampResp without a token (asn1crypto's TimeStampResp requires one)."""
    return tsp.PKIStatusInfo.load(core.Sequence.load(answer)[0].dump())["status"].native


def test_the_development_tsa_refuses_what_is_not_a_time_stamp_request(client):
    response = client.post(reverse("documents:tsa"), b"\x30\x03\x02\x01", content_type="application/timestamp-query")
    assert response.status_code == 200 and response["Content-Type"] == "application/timestamp-reply"
    assert refusal(response.content) == "rejection"
    _nonce, request = InProcessTimeStamper().request_cms(bytes(20), "sha1")
    assert refusal(development_tsa_answer(request.dump())) == "rejection"
    assert client.post(reverse("documents:tsa"), b"x", content_type="text/plain").status_code == 415


def test_a_time_stamp_names_its_authority_and_time(temara_office):
    token = asyncio.run(InProcessTimeStamper().async_timestamp(bytes(32), "sha256"))
    stamp = time_stamp_of(token)
    assert stamp.authority == pki.TSA_NAME
    assert abs(stamp.time - datetime.datetime.now(datetime.UTC)) < datetime.timedelta(minutes=1)


@pytest.mark.parametrize("digest", ["sha256", "sha384", "sha512"])
def test_a_development_time_stamp_is_intact_trusted_and_over_the_digest_asked(temara_office, digest):
    """Its answers are put together from a template of the first: each one is signed anew over its own TSTInfo."""
    imprint = hashlib.new(digest, b"a signature").digest()
    tokens = [asyncio.run(InProcessTimeStamper().async_timestamp(imprint, digest)) for _ in range(2)]
    context = ValidationContext(trust_roots=pki.trust_roots(), allow_fetching=False, revocation_mode="soft-fail")
    for token in tokens:
        status = asyncio.run(validate_tst_signed_data(token["content"], context, lambda _algorithm: imprint))
        assert status["intact"] and status["valid"] and status["trust_problem_indic"] is None
    assert tokens[0]["content"]["encap_content_info"]["content"].parsed["message_imprint"]["hashed_message"].native == (
        imprint
    )
    serials = {token["content"]["encap_content_info"]["content"].parsed["serial_number"].native for token in tokens}
    assert len(serials) == 2
    for token in tokens:  # the signing time put in its place among the signed attributes: the token's own time
        signed_attributes = token["content"]["signer_infos"][0]["signed_attrs"]
        signing_time = find_unique_cms_attribute(signed_attributes, "signing_time").native
        generated = token["content"]["encap_content_info"]["content"].parsed["gen_time"].native
        assert signing_time == generated.replace(microsecond=0)


def test_a_time_stamping_authority_out_of_reach_is_a_clear_refusal(settings, temara_office):
    settings.RAQMANA_TSA_URL = "http://127.0.0.1:9/tsa"  # the discard port: nothing listens
    with translation.override("en"), pytest.raises(ValidationError, match="did not answer"):
        seal_pdf(minimal_pdf(), temara_office, reason="Test")
