"""The page and its seal: data reaches typst as string literals, and a seal's container is pyHanko's own with
this document's digest and signature."""

import asyncio
import hashlib
import io
import json
import shutil
import subprocess

import pytest
import typst
from asn1crypto import cms, parser, tsp
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import load_der_x509_certificate
from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.general import find_unique_cms_attribute, simple_cms_attribute

from raqmana.documents import der, signing
from raqmana.documents.pki import signer_for
from raqmana.documents.rendering import render_pdf, typst_string
from raqmana.documents.signing import check_seal, seal_pdf
from raqmana.documents.timestamping import InProcessTimeStamper, development_tsa_answer

pytestmark = pytest.mark.django_db

HOSTILE = 'Ben"Ali \\ #panic("injected") ] $x$ \n// not a comment\r\\"'


def test_a_typst_string_literal_holds_the_text_exactly():
    source = f"#metadata({typst_string(HOSTILE)}) <value>".encode()
    assert json.loads(typst.query(source, "<value>", field="value", one=True)) == HOSTILE


def a_page(*rows):
    """A page as `printed_page` makes it."""
    return {
        "title": ["نسخة موجزة من رسم الولادة", "Extrait d'acte de naissance"],
        "act_office": ["مكتب", "Bureau"],
        "rows": list(rows),
        "mentions": [],
        "authority_ar": ["المملكة المغربية"],
        "authority_fr": ["Royaume du Maroc"],
        "issuer": ["مكتب", "Bureau"],
        "issued_at": ["تمارة", "Témara"],
        "signatory": None,
        "issued_on": ["25/11/2026", "10:05", "15 جمادى الآخرة 1448 هـ"],
        "reference": "X/2026/1",
        "code": "ABCD-EFGH-JKLM-NPQR",
        "verify_at": "https://raqmana.example/documents/verify/",
    }


def rendered(page):
    return render_pdf(page, verify_url="https://raqmana.example/documents/verify/X/", created_at=timezone.now())


def test_a_page_prints_names_written_like_typst_code(tmp_path):
    pdf = rendered(a_page({"label": ["الاسم العائلي", "Nom"], "values": [{"text": HOSTILE, "script": "latin"}]}))
    assert pdf.startswith(b"%PDF-")
    if not shutil.which("pdftotext"):
        pytest.skip("poppler's pdftotext is not installed (apt-get install poppler-utils)")
    (tmp_path / "page.pdf").write_bytes(pdf)
    text = subprocess.run(["pdftotext", tmp_path / "page.pdf", "-"], capture_output=True, text=True).stdout
    assert 'Ben"Ali \\ #panic("injected") ] $x$' in text


def test_a_seal_container_is_pyhankos_own_with_this_digest_and_signature(temara_office):
    signer = signer_for(temara_office)
    digest = hashlib.sha256(b"a document").digest()
    template = signing._run(signing._container_template(signer))
    signed = template.signed_attributes_for(digest)
    encoded = template.container(signed, signing._run(signer.async_sign_raw(signed, signing.DIGEST)))
    ours = cms.ContentInfo.load(encoded)
    pyhankos = signing._run(signer.async_sign(digest, signing.DIGEST, use_pades=True))

    assert ours.dump(force=True) == encoded  # DER, as asn1crypto encodes it from its parts
    signer_info = ours["content"]["signer_infos"][0]
    signed_attributes = cms.CMSAttributes.load(signer_info["signed_attrs"].untag().dump())
    assert {attribute["type"].native: attribute["values"][0].native for attribute in signed_attributes}[
        "message_digest"
    ] == digest
    certificate = load_der_x509_certificate(signer.signing_cert.dump())
    certificate.public_key().verify(
        signer_info["signature"].native, signed_attributes.dump(), ec.ECDSA(hashes.SHA256())
    )
    # ECDSA signatures differ from one signing to the next: everything else is the same, byte for byte.
    for container in (ours, pyhankos):
        container["content"]["signer_infos"][0]["signature"] = b""
    assert ours.dump(force=True) == pyhankos.dump(force=True)


def a_token_of(length):
    """A ContentInfo as a TSA's answer is read, its contents `length` bytes long."""
    for size in range(length):
        encoded = cms.ContentInfo({"content_type": "data", "content": b"t" * size}).dump()
        token = cms.ContentInfo.load(encoded)
        if len(token.contents) == length:
            return token, encoded
    raise AssertionError(length)


@pytest.mark.parametrize("length", [383, 384, 3968])
def test_a_time_stamp_token_is_held_as_the_tsa_encoded_it_whatever_its_length(temara_office, length):
    """asn1crypto takes lengths such as 384 (0x0180) and 3,968 (0x0F80), whose last byte is 0x80, for indefinite
    ones and encodes such values again from their parts: the container holds the token's own bytes."""
    signer = signer_for(temara_office)
    template = signing._run(signing._container_template(signer))
    signed = template.signed_attributes_for(hashlib.sha256(b"a document").digest())
    signature = signing._run(signer.async_sign_raw(signed, signing.DIGEST))
    token, as_sent = a_token_of(length)

    encoded = template.container(signed, signature, token)
    ours = cms.ContentInfo.load(encoded)
    held = find_unique_cms_attribute(ours["content"]["signer_infos"][0]["unsigned_attrs"], "signature_time_stamp_token")
    assert held.dump() == as_sent
    # What asn1crypto builds from the same parts, as pyHanko's signers add a time stamp.
    built = cms.ContentInfo.load(template.container(signed, signature))
    built["content"]["signer_infos"][0]["unsigned_attrs"] = cms.CMSAttributes(
        [simple_cms_attribute("signature_time_stamp_token", cms.ContentInfo.load(as_sent))]
    )
    assert built.dump(force=True) == encoded


def with_indefinite_lengths(encoded, levels=4):
    """The same values with the length of constructed ones left indefinite (BER, X.690 § 8.1.3.6) down to `levels`
    deep: the answer, its token, the token's SignedData, as TSAs that stream their answers encode them."""
    values = []
    while encoded:
        size = parser.peek(encoded)
        value, encoded = encoded[:size], encoded[size:]
        class_, method, tag, _header, inner, _trailer = parser.parse(value, strict=True)
        if method == 1 and levels:
            inner = with_indefinite_lengths(inner, levels - 1)
            value = bytes([class_ << 6 | 0x20 | tag]) + b"\x80" + inner + b"\x00\x00"
        values.append(value)
    return b"".join(values)


class BerTimeStamper(InProcessTimeStamper):
    async def async_request_tsa_response(self, req):
        return tsp.TimeStampResp.load(with_indefinite_lengths(development_tsa_answer(req.dump())))


def test_a_time_stamp_token_sent_in_ber_is_held_in_der(temara_office, monkeypatch):
    """A seal's container is DER throughout (ISO 32000-1 § 12.8.3.3.1), whatever encoding the TSA answers in."""
    monkeypatch.setattr(signing, "timestamper", BerTimeStamper)
    sealed = seal_pdf(rendered(a_page()), temara_office, reason="test")

    contents = PdfFileReader(io.BytesIO(sealed.pdf)).embedded_signatures[0].sig_object["/Contents"]
    container = contents[: parser.peek(contents)]
    assert cms.ContentInfo.load(container).dump(force=True) == container
    assert check_seal(sealed.pdf).valid
    assert sealed.time_stamp.authority


def test_der_is_told_from_ber_by_its_framing():
    encoded = cms.ContentInfo({"content_type": "data", "content": b"t" * 200}).dump()
    assert der.in_der(encoded)
    assert not der.in_der(with_indefinite_lengths(encoded))
    assert not der.in_der(b"\x30\x81\x03\x04\x01t")  # a length written longer than it needs
    assert not der.in_der(b"\x30\x06\x24\x04\x04\x02tt")  # an OCTET STRING cut into parts
    assert not der.in_der(b"\x30\x05\x04\x01t")  # cut short
    assert not der.in_der(b"")


def test_a_seal_made_inside_a_running_event_loop_validates(temara_office):
    pdf = rendered(a_page())

    async def from_a_coroutine():
        return seal_pdf(pdf, temara_office, reason="test").pdf

    assert check_seal(asyncio.run(from_a_coroutine())).valid


def test_tasks_a_failed_seal_leaves_behind_are_cancelled():
    left_behind = []

    async def failing_seal():
        left_behind.append(asyncio.ensure_future(asyncio.sleep(3600)))
        await asyncio.sleep(0)
        raise RuntimeError("token unavailable")

    with pytest.raises(RuntimeError):
        signing._run(failing_seal())
    assert left_behind[0].cancelled()
