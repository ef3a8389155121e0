"""Sealing a PDF with the issuing office's key (PAdES baseline B-B through pyHanko), and checking a seal."""

import asyncio
import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from .pki import signer_for, trust_roots

SIGNATURE_FIELD = "RaqmanaSeal"


def seal_pdf(pdf, office, *, reason):
    """The PDF with an invisible PAdES signature of the office appended as an incremental update."""
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=office.name_fr,
    )
    signer = signer_for(office)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    return _run(signers.async_sign_pdf(writer, metadata, signer=signer, bytes_reserved=_reserved(signer))).getvalue()


def _reserved(signer):
    """Room for the signature container, from the certificates it carries. pyHanko would otherwise make a
    whole dummy signature to measure it, every time: a third of the time of a seal."""
    certificates = [signer.signing_cert, *signer.cert_registry]
    # Signed attributes and the signature itself need well under 2 KB; each byte takes two hex digits.
    return 2 * (sum(len(certificate.dump()) for certificate in certificates) + 2048)


def _run(coroutine):
    """pyHanko works in asyncio. Called from a thread that already runs an event loop (an async view, a test
    driving a browser), the coroutine gets a loop of its own in a helper thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


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
