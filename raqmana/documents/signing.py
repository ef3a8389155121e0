"""Sealing a PDF with the issuing office's key (PAdES baseline B-B through pyHanko), and checking a seal."""

import asyncio
import io
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from asn1crypto import cms
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_signer import PdfTBSDocument
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from .pki import signer_for, trust_roots

SIGNATURE_FIELD = "RaqmanaSeal"
DIGEST = "sha256"


def seal_pdf(pdf, office, *, reason):
    """The PDF with an invisible PAdES signature of the office appended as an incremental update.

    pyHanko prepares the update and digests the document, then embeds the signature container built by
    `_signature_container` (pyHanko's interrupted signing)."""
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm=DIGEST,
        reason=reason,
        location=office.name_fr,
    )
    return _run(_seal(pdf, metadata, signer_for(office)))


async def _seal(pdf, metadata, signer):
    template = await _container_template(signer)
    prepared, _, output = await signers.PdfSigner(metadata, signer=signer).async_digest_doc_for_signing(
        IncrementalPdfFileWriter(io.BytesIO(pdf)),
        # Each byte of the container takes two hex digits; an ECDSA signature varies by a few bytes.
        bytes_reserved=2 * (len(template.container) + 32),
    )
    container = await _signature_container(signer, template, prepared.document_digest)
    await PdfTBSDocument.async_finish_signing(output, prepared, container)
    return output.getvalue()


@dataclass(frozen=True)
class ContainerTemplate:
    """An office's PAdES signature container as pyHanko builds it, DER-encoded: its signed attributes
    (content type, message digest, signing certificate v2) and the whole ContentInfo."""

    signed_attributes: bytes
    container: bytes


_templates = {}
_templates_lock = threading.Lock()


async def _container_template(signer):
    """Built once per signer by pyHanko itself over a blank digest. asn1crypto takes about 11 ms to assemble a
    container from Python values, most of a seal; yet only the document digest and the signature differ from
    one seal to the next, so later seals change just those two fields of this template (under 1 ms)."""
    with _templates_lock:
        template = _templates.get(signer)
    if template is None:
        # A dry run: a token is not asked to sign the blank digest (its placeholder signature is replaced anyway).
        content = await signer.async_sign(bytes(32), DIGEST, use_pades=True, dry_run=True)
        signed_attributes = content["content"]["signer_infos"][0]["signed_attrs"].untag()
        template = ContainerTemplate(signed_attributes=signed_attributes.dump(), container=content.dump())
        with _templates_lock:
            _templates[signer] = template
    return template


async def _signature_container(signer, template, document_digest):
    """The template with this document's digest in its message-digest attribute, signed by the office's key."""
    attributes = cms.CMSAttributes.load(template.signed_attributes)
    for attribute in attributes:
        if attribute["type"].native == "message_digest":
            attribute["values"] = [document_digest]
    signed = attributes.dump()
    content = cms.ContentInfo.load(template.container)
    signer_info = content["content"]["signer_infos"][0]
    signer_info["signed_attrs"] = cms.CMSAttributes.load(signed)
    signer_info["signature"] = await signer.async_sign_raw(signed, DIGEST)
    return content


def _run(coroutine):
    """pyHanko works in asyncio. The coroutine runs in an event loop of its own, in a helper thread when the
    caller already runs a loop (an async view, a test driving a browser).

    Not `asyncio.run`: on the main thread it checks its SIGINT handler through `signal.getsignal`, which formats
    the repr of the running task, a millisecond a call."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _run_in_new_loop(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_run_in_new_loop, coroutine).result()


def _run_in_new_loop(coroutine):
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        # As asyncio.run does: tasks a failure left behind (pyHanko gathers attributes concurrently) are cancelled.
        pending = asyncio.all_tasks(loop)
        if pending:
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())  # a PKCS#11 signer signs in the executor
        loop.close()


@dataclass(frozen=True)
class SealCheck:
    """What a PDF's signature says: intact (not altered since signed), trusted (chains to our roots), and by
    whom; `covers_whole_file` is false when something was appended after the signature."""

    signed: bool
    intact: bool = False
    trusted: bool = False
    covers_whole_file: bool = False
    signer: str = ""

    @property
    def valid(self):
        return self.signed and self.intact and self.trusted and self.covers_whole_file


def check_seal(pdf):
    try:
        signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
    except (PdfReadError, ValueError, KeyError, IndexError, TypeError):
        return SealCheck(signed=False)
    if not signatures:
        return SealCheck(signed=False)
    signature = signatures[-1]
    status = _run(async_validate_pdf_signature(signature, ValidationContext(trust_roots=trust_roots())))
    return SealCheck(
        signed=True,
        intact=status.intact and status.valid,
        trusted=status.trusted,
        covers_whole_file=signature.coverage.name == "ENTIRE_FILE",
        signer=status.signing_cert.subject.human_friendly,
    )
