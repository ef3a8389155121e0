"""Sealing a PDF with the issuing office's key, and checking a seal.

A seal is PAdES baseline B-LT (ETSI EN 319 142-1), made with pyHanko: the office's signature (B-B), a time
stamp of that signature by a time-stamping authority (B-T, `timestamping.py`), and in the document's security
store (DSS) the data that validate both certificates later without asking anyone: their chains and the CRLs or
OCSP answers for them (B-LT). The DSS is written in the signed revision itself, so the signature covers the whole
file (as readers such as poppler expect of a document nobody changed after signing)."""

import asyncio
import datetime
import hashlib
import io
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from asn1crypto import cms, parser
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import NonexistentAttributeError, find_unique_cms_attribute
from pyhanko.sign.signers.pdf_signer import PdfTBSDocument
from pyhanko.sign.validation import DocumentSecurityStore, async_validate_pdf_signature
from pyhanko.sign.validation.errors import NoDSSFoundError
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError
from pyhanko_certvalidator.policy_decl import CertRevTrustPolicy, RevocationCheckingPolicy, RevocationCheckingRule

from . import der
from .pki import known_crls, seal_validation_context, signer_for, trust_roots
from .timestamping import TSA_FAILURES, timestamper

logger = logging.getLogger(__name__)

SIGNATURE_FIELD = "RaqmanaSeal"
DIGEST = "sha256"
# Revocation data gathered for a seal are gathered again after this long at most (sooner when a CRL expires).
VALIDATION_DATA_LIFETIME = datetime.timedelta(hours=1)


@dataclass(frozen=True)
class TimeStamp:
    """When a time-stamping authority saw a seal's signature, and which authority (its certificate's name)."""

    time: datetime.datetime
    authority: str


@dataclass(frozen=True)
class Seal:
    pdf: bytes
    time_stamp: TimeStamp | None


def seal_pdf(pdf, office, *, reason, long_term=True):
    """The PDF with an invisible PAdES signature of the office appended as an incremental update: B-LT, or a
    bare B-B signature when `long_term` is false (the benchmark compares them).

    pyHanko prepares the update and digests the document, then embeds the signature container put together from
    the office's `ContainerTemplate` (pyHanko's interrupted signing). Raises ValidationError when the office's
    certificate cannot be validated (revoked, expired) or the time-stamping authority does not answer."""
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm=DIGEST,
        reason=reason,
        location=office.name_fr,
    )
    return _run(_seal(pdf, metadata, signer_for(office), timestamper() if long_term else None))


async def _seal(pdf, metadata, signer, time_stamper):
    template = await _container_template(signer)
    writer = _SealWriter(io.BytesIO(pdf))
    # Room for a signature as long as the key can give beyond the template's placeholder (a PKCS#11 signer's is 512
    # bytes, shorter than an RSA-8192 signature; an ECDSA signature varies by a few bytes).
    container_size = template.size + signer.signing_cert.public_key.bit_size // 8 + 32
    if time_stamper is not None:
        validation_data = await _validation_data(signer, time_stamper)
        DocumentSecurityStore.supply_dss_in_writer(
            writer, None, paths=validation_data.paths, crls=validation_data.crls, ocsps=validation_data.ocsps
        )
        # A token differs from the TSA's first in its time, serial number and nonce; a quarter more is room enough.
        container_size += validation_data.time_stamp_size * 5 // 4
    prepared, _, output = await signers.PdfSigner(metadata, signer=signer).async_digest_doc_for_signing(
        writer,
        bytes_reserved=2 * container_size,  # each byte of the container takes two hex digits
    )
    signed_attributes = template.signed_attributes_for(prepared.document_digest)
    signature = await signer.async_sign_raw(signed_attributes, DIGEST)
    token = time_stamp = None
    if time_stamper is not None:
        token = await _time_stamp_token(time_stamper, signature)
        time_stamp = time_stamp_of(token)
    container = template.container(signed_attributes, signature, token)
    await PdfTBSDocument.async_finish_signing(output, prepared, container)
    return Seal(pdf=output.getvalue(), time_stamp=time_stamp)


class _SealWriter(IncrementalPdfFileWriter):
    """pyHanko's incremental writer, leaving the document's metadata as typst wrote it. The page was made at the
    moment it is sealed (its creation and modification dates are the document's issue) and the seal changes no
    content, so the information dictionary and the XMP metadata stay as they are, in agreement (PDF/A); pyHanko
    would parse, update and encode the XMP stream again, twice (1.5 ms of a seal of 6), to give a modification date
    a second later and its own name as producer. The seal carries its own signing time and time stamp."""

    def _update_meta(self):
        return


async def _time_stamp_token(time_stamper, signature):
    """The TSA's token over the signature value (RFC 3161 appendix A, as pyHanko's signers ask for it)."""
    try:
        return await time_stamper.async_timestamp(hashlib.sha256(signature).digest(), DIGEST)
    except TSA_FAILURES as error:
        raise _time_stamping_failed() from error


def _time_stamping_failed():
    return ValidationError(_("The time-stamping authority refused or did not answer: try again in a moment."))


def time_stamp_of(token):
    """The time and authority of an RFC 3161 time-stamp token (a CMS ContentInfo)."""
    signed_data = token["content"]
    info = signed_data["encap_content_info"]["content"].parsed
    sid = signed_data["signer_infos"][0]["sid"].chosen
    issuer, serial_number = sid["issuer"].dump(), sid["serial_number"].native
    authority = next(
        _common_name(certificate.chosen)
        for certificate in signed_data["certificates"]
        if certificate.chosen.serial_number == serial_number and certificate.chosen.issuer.dump() == issuer
    )
    return TimeStamp(time=info["gen_time"].native, authority=authority)


def _common_name(certificate):
    return certificate.subject.native.get("common_name") or certificate.subject.human_friendly


@dataclass(frozen=True)
class ValidationData:
    """What validates a signer's and its TSA's certificates: their chains, and CRLs or OCSP answers."""

    paths: list
    crls: list
    ocsps: list
    time_stamp_size: int  # of a token of this TSA, DER-encoded
    gathered_for: tuple
    good_until: datetime.datetime


_gathered = {}
_gathered_lock = threading.Lock()


async def _validation_data(signer, time_stamper):
    """Gathered once per signer and TSA, then again when the known revocation data changed (a new development
    CRL), when a CRL expires, or after VALIDATION_DATA_LIFETIME: each seal carries recent revocation data."""
    known = known_crls()
    now = datetime.datetime.now(datetime.UTC)
    with _gathered_lock:
        data = _gathered.get((signer, time_stamper))
    if data is not None and data.gathered_for == known and now < data.good_until:
        return data
    context = seal_validation_context(known)
    try:
        try:
            office_path = await CertificateValidator(
                signer.signing_cert, intermediate_certs=signer.cert_registry, validation_context=context
            ).async_validate_usage({"non_repudiation"})
        except (PathBuildingError, PathValidationError) as error:
            raise ValidationError(
                _(
                    "The office's sealing certificate cannot be validated (revoked, expired or not issued by a "
                    "trusted authority): documents cannot be sealed until it is renewed."
                )
            ) from error
        try:
            tsa_paths = [path async for path in time_stamper.validation_paths(context)]
        except TSA_FAILURES as error:
            raise _time_stamping_failed() from error
        except (PathBuildingError, PathValidationError) as error:
            raise ValidationError(
                _("The time-stamping authority's certificate cannot be validated: documents cannot be sealed.")
            ) from error
    finally:
        await context.aclose()  # the HTTP sessions of any fetching
    crls, ocsps = list(context.crls), list(context.ocsps)
    expiries = [crl["tbs_cert_list"]["next_update"].native for crl in crls]
    data = ValidationData(
        paths=[office_path, *tsa_paths],
        crls=crls,
        ocsps=ocsps,
        time_stamp_size=len((await time_stamper.async_dummy_response(DIGEST)).dump()),
        gathered_for=known,
        good_until=min([now + VALIDATION_DATA_LIFETIME, *(expiry for expiry in expiries if expiry)]),
    )
    with _gathered_lock:
        _gathered[(signer, time_stamper)] = data
    return data


@dataclass(frozen=True)
class ContainerTemplate:
    """An office's PAdES signature container (CMS SignedData, RFC 5652) as pyHanko builds it over a blank digest,
    kept in DER pieces: only the document's digest, the signature and the time stamp differ from one seal to the
    next, so a seal's container is these bytes with those three put in (under 0.1 ms), as bytes (`der`): a
    container's length varies by a few bytes with its signature and time stamp, and on some machines one seal in
    two had a length asn1crypto encodes again from its smallest parts (40 to 120 ms more)."""

    content_type: bytes
    signed_data_head: bytes  # version, digest algorithms, encapsulated content info, certificates
    signer_info_head: bytes  # version, signer identifier, digest algorithm
    signed_attributes: bytes  # the SET OF attributes, with a blank message digest
    digest_at: int  # where the message digest's bytes start in signed_attributes
    signature_algorithm: bytes
    size: int  # of pyHanko's whole container, placeholder signature included

    def signed_attributes_for(self, document_digest):
        """The signed attributes with this document's digest: the bytes the office's key signs."""
        end = self.digest_at + len(document_digest)
        return self.signed_attributes[: self.digest_at] + document_digest + self.signed_attributes[end:]

    def container(self, signed_attributes, signature, time_stamp_token=None):
        """The DER-encoded ContentInfo: the signer info with these signed attributes and signature, and the token
        (in DER, `token_in_der`) as its signature-time-stamp attribute when given."""
        unsigned_attributes = b""
        if time_stamp_token is not None:
            attribute = der.sequence(TIME_STAMP_TOKEN_ATTRIBUTE, der.set_of_one(token_in_der(time_stamp_token)))
            unsigned_attributes = parser.emit(2, 1, 1, attribute)  # [1] IMPLICIT SET OF Attribute
        signer_info = der.signer_info(
            self.signer_info_head, signed_attributes, self.signature_algorithm, signature, unsigned_attributes
        )
        signed_data = der.sequence(self.signed_data_head, der.set_of_one(signer_info))
        return der.sequence(self.content_type, parser.emit(2, 1, 0, signed_data))  # [0] EXPLICIT content


def token_in_der(token):
    """A time-stamp token (a ContentInfo read from the TSA's answer) in DER, as a signature container holds it
    (ISO 32000-1 § 12.8.3.3.1): the bytes the TSA sent when they are DER already, as TSAs answer, else encoded
    again once by asn1crypto (a TSA answering in BER, with indefinite lengths, say)."""
    framed = der.sequence(token.contents)
    if der.in_der(framed):
        return framed
    return token.copy().dump(force=True)


TIME_STAMP_TOKEN_ATTRIBUTE = cms.CMSAttributeType("signature_time_stamp_token").dump()


_templates = {}
_templates_lock = threading.Lock()


async def _container_template(signer):
    """Built once per signer by pyHanko itself (a dry run: a token is not asked to sign the blank digest)."""
    with _templates_lock:
        template = _templates.get(signer)
    if template is None:
        content = (await signer.async_sign(bytes(32), DIGEST, use_pades=True, dry_run=True)).dump()
        content_type, explicit = der.parts(content)
        (signed_data,) = der.parts(explicit)
        *signed_data_head, signer_infos = der.parts(signed_data)
        (signer_info,) = der.parts(signer_infos)
        signer_info_head, signed_attributes, signature_algorithm = der.signer_info_pieces(signer_info)
        blank_digest = cms.CMSAttribute({"type": "message_digest", "values": [bytes(32)]}).dump()
        template = ContainerTemplate(
            content_type=content_type,
            signed_data_head=b"".join(signed_data_head),
            signer_info_head=signer_info_head,
            signed_attributes=signed_attributes,
            digest_at=signed_attributes.index(blank_digest) + len(blank_digest) - 32,
            signature_algorithm=signature_algorithm,
            size=len(content),
        )
        with _templates_lock:
            _templates[signer] = template
    return template


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
    """What a PDF's signature says: intact (not altered since signed), trusted (chains to our roots, and its
    certificate was not revoked when it was made), and by whom; `covers_whole_file` is false when something was
    appended after the signature. `time_stamp` is the time and authority of its valid time stamp, if any."""

    signed: bool
    intact: bool = False
    trusted: bool = False
    covers_whole_file: bool = False
    signer: str = ""
    time_stamp: TimeStamp | None = None

    @property
    def valid(self):
        return self.signed and self.intact and self.trusted and self.covers_whole_file


def check_seal(pdf):
    """Validate a PDF's last signature as a long-term one (PAdES-LT): as of the time its time stamp proves (now
    for a seal without one), with the chains and revocation data the document carries and the CRLs known here,
    fetching nothing. A certificate expired since, or a CRL out of date since, does not matter; a certificate
    revoked before the time stamp fails (a CRL lists when).

    The PDF comes from anyone: whatever pyHanko cannot read or validate (a malformed or hostile file, such as
    arrays nested 50,000 deep) is an unsigned document, never an error."""
    crls = known_crls()
    roots = trust_roots()
    try:
        signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
        if not signatures:
            return SealCheck(signed=False)
        signature = signatures[-1]
        status = _run(_validate_long_term(signature, roots, crls))
        covers_whole_file = signature.coverage.name == "ENTIRE_FILE"
    except Exception:  # any failure to read hostile input means "not a seal"; nothing is written
        logger.info("An unreadable PDF was checked", exc_info=True)
        return SealCheck(signed=False)
    stamp = status.timestamp_validity
    time_stamp = None
    if stamp is not None and stamp.valid and stamp.trusted:
        time_stamp = TimeStamp(time=stamp.timestamp, authority=_common_name(stamp.signing_cert))
    return SealCheck(
        signed=True,
        intact=status.intact and status.valid,
        trusted=status.trusted and (stamp is None or time_stamp is not None),
        covers_whole_file=covers_whole_file,
        signer=_common_name(status.signing_cert),
        time_stamp=time_stamp,
    )


async def _validate_long_term(signature, roots, crls):
    """pyHanko's validation as of the time stamp's time, trusting `roots` only, and checking revocation where a
    certificate names where to (CRL or OCSP) with the document's security store and `crls` only. Revocation data
    issued after that time count too ("retroactive"): they say whether a certificate was revoked before it."""
    certificates, ocsps, crls = [], [], list(crls)
    try:
        store = DocumentSecurityStore.read_dss(signature.reader)
    except NoDSSFoundError:  # seals made before they were long-term
        pass
    else:
        certificates = list(store.load_certs())
        crls += [crl.get_object().data for crl in store.crls]
        ocsps = [answer.get_object().data for answer in store.ocsps]
    time_stamp = _signature_time_stamp(signature.signer_info)
    policy = CertRevTrustPolicy(
        RevocationCheckingPolicy(
            ee_certificate_rule=RevocationCheckingRule.CHECK_IF_DECLARED,
            intermediate_ca_cert_rule=RevocationCheckingRule.CHECK_IF_DECLARED,
        ),
        retroactive_revinfo=True,
    )
    context = ValidationContext(
        trust_roots=roots,
        other_certs=certificates,
        crls=crls,
        ocsps=ocsps,
        moment=time_stamp and time_stamp_of(time_stamp).time,
        revinfo_policy=policy,
    )
    return await async_validate_pdf_signature(signature, context)


def _signature_time_stamp(signer_info):
    try:
        return find_unique_cms_attribute(signer_info["unsigned_attrs"], "signature_time_stamp_token")
    except NonexistentAttributeError:
        return None
