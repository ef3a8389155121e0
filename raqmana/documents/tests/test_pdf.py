"""The page and its seal: data reaches typst as string literals, and a seal's container is pyHanko's own with
this document's digest and signature."""

import asyncio
import hashlib
import json
import shutil
import subprocess

import pytest
import typst
from asn1crypto import cms
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import load_der_x509_certificate
from django.utils import timezone

from raqmana.documents import signing
from raqmana.documents.pki import signer_for
from raqmana.documents.rendering import render_pdf, typst_string
from raqmana.documents.signing import check_seal, seal_pdf

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
    ours = signing._run(signing._signature_container(signer, template, digest))
    pyhankos = signing._run(signer.async_sign(digest, signing.DIGEST, use_pades=True))

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
