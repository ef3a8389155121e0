"""Time stamps on seals (RFC 3161): a time-stamping authority (TSA) countersigns each seal's signature with the
time, so that the seal keeps proving when it was made after the office's certificate expires (PAdES B-T).

The TSA is the one at RAQMANA_TSA_URL (optional RAQMANA_TSA_USERNAME and RAQMANA_TSA_PASSWORD, HTTP basic
authentication; RAQMANA_TSA_TIMEOUT seconds). With the development signing backend the development CA runs one:
served over HTTP at /documents/pki/tsa, and called in-process when no URL is set, with the same DER request and
answer, so that sealing needs no HTTP to itself (tests, `manage.py seed_demo` before the server runs).
"""

import datetime
import functools
import hashlib
from dataclasses import dataclass

from asn1crypto import cms, core, parser, tsp
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pyhanko.sign.timestamps import DummyTimeStamper, HTTPTimeStamper, TimeStamper, TimestampRequestError
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from . import der
from .pki import development_tsa, trust_roots

MAX_REQUEST_BYTES = 4096  # a request holds a digest, a nonce and a few flags: a few hundred bytes
ACCEPTED_DIGESTS = {"sha256", "sha384", "sha512"}


def timestamper():
    """pyHanko's client for the time-stamping authority that time-stamps seals."""
    if settings.RAQMANA_TSA_URL:
        return _http_timestamper(
            settings.RAQMANA_TSA_URL,
            settings.RAQMANA_TSA_USERNAME,
            settings.RAQMANA_TSA_PASSWORD,
            settings.RAQMANA_TSA_TIMEOUT,
        )
    if settings.RAQMANA_SIGNING_BACKEND == "development":
        return _in_process_timestamper(settings.RAQMANA_PKI_DIR)
    raise ImproperlyConfigured("Set RAQMANA_TSA_URL to the address of the time-stamping authority (RFC 3161).")


# One client per configuration and process: it keeps the TSA's certificates from its first answer.
@functools.cache
def _http_timestamper(url, username, password, timeout):
    return HTTPTimeStamper(url, timeout=timeout, auth=(username, password) if username else None)


@functools.cache
def _in_process_timestamper(pki_dir):  # one per development CA, as each has its own TSA
    return InProcessTimeStamper()


class InProcessTimeStamper(TimeStamper):
    """The development TSA without HTTP: the request is encoded and the answer decoded as over the wire."""

    async def async_request_tsa_response(self, req):
        return tsp.TimeStampResp.load(development_tsa_answer(req.dump()))


# asn1crypto's TimeStampResp requires a token, which a refusal lacks: reading one raises ValueError.
TSA_FAILURES = (TimestampRequestError, ValueError)


def development_tsa_answer(request):
    """The development TSA's DER-encoded answer (TimeStampResp) to a DER-encoded TimeStampReq; a malformed or
    unacceptable request gets a rejection (RFC 3161 § 2.4.2), never an exception."""
    try:
        if len(request) > MAX_REQUEST_BYTES:
            raise ValueError("request too large")
        parsed = tsp.TimeStampReq.load(request)
        if parsed["message_imprint"]["hash_algorithm"]["algorithm"].native not in ACCEPTED_DIGESTS:
            return _rejection("bad_alg")
        if parsed["extensions"].native:
            return _rejection("unaccepted_extension")
        return _development_authority(settings.RAQMANA_PKI_DIR).request_tsa_response(parsed).dump()
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, RecursionError):  # asn1crypto's errors
        return _rejection("bad_data_format")


def _rejection(reason):
    status = tsp.PKIStatusInfo({"status": "rejection", "fail_info": tsp.PKIFailureInfo({reason})})
    return _StatusOnly({"status": status}).dump()


class _StatusOnly(core.Sequence):
    """A TimeStampResp without a token, as a refusal is (RFC 3161 § 2.4.2; asn1crypto's requires the token)."""

    _fields = [("status", tsp.PKIStatusInfo)]


@functools.cache
def _development_authority(pki_dir):  # one per development CA, as each has its own TSA
    certificate, key = development_tsa()
    return DevelopmentTimeStampAuthority(
        tsa_cert=certificate, tsa_key=key, certs_to_embed=SimpleCertificateStore.from_certs(trust_roots())
    )


class DevelopmentTimeStampAuthority(DummyTimeStamper):
    """pyHanko's own TSA (made for tests: it grants every well-formed request, under its default policy), with its
    RSA key parsed once (pyHanko parses it for every token: 100 ms with the checks cryptography makes), and each
    answer put together as bytes from pyHanko's first (`AnswerTemplate`): asn1crypto takes 2 ms to assemble one."""

    @functools.cached_property
    def private_key(self):
        return serialization.load_der_private_key(self.tsa_key.dump(), password=None)

    @functools.cached_property
    def templates(self):
        return {}

    def template(self, md_algorithm):
        if md_algorithm not in self.templates:
            self.templates[md_algorithm] = AnswerTemplate.of(
                super().request_tsa_response(self.blank(md_algorithm)).dump()
            )
        return self.templates[md_algorithm]

    @staticmethod
    def blank(md_algorithm):
        return tsp.TimeStampReq(
            {
                "version": 1,
                "message_imprint": {
                    "hash_algorithm": {"algorithm": md_algorithm},
                    "hashed_message": bytes(hashlib.new(md_algorithm).digest_size),
                },
                "cert_req": True,
            }
        )

    def request_tsa_response(self, req):
        md_algorithm = self.override_md or req["message_imprint"]["hash_algorithm"]["algorithm"].native
        when = self.fixed_dt or datetime.datetime.now(datetime.UTC)
        tst_info = self._build_tst_info(req["message_imprint"], when, req).dump()
        template = self.template(md_algorithm)
        signed_attributes = template.signed_attributes_for(
            core.UTCTime(when).contents, hashlib.new(md_algorithm, tst_info).digest()
        )
        signature = self.private_key.sign(
            signed_attributes, padding.PKCS1v15(), get_pyca_cryptography_hash(md_algorithm)
        )
        return tsp.TimeStampResp.load(template.answer(tst_info, signed_attributes, signature))


@dataclass(frozen=True)
class AnswerTemplate:
    """A development TSA's answer (TimeStampResp, RFC 3161) in DER pieces: only the TSTInfo, the signing time and
    message digest among the signed attributes, and the signature differ from one token to the next."""

    status: bytes
    token_type: bytes
    signed_data_head: bytes  # version, digest algorithms
    tst_info_type: bytes
    certificates: bytes
    signer_info_head: bytes  # version, signer identifier, digest algorithm
    signed_attributes: bytes  # the SET OF attributes
    time_at: int  # where the signing time's characters (a UTCTime's 13) start in signed_attributes
    digest_at: int  # where the message digest's bytes start
    signature_algorithm: bytes

    @classmethod
    def of(cls, answer):
        status, token = der.parts(answer)
        token_type, explicit = der.parts(token)
        (signed_data,) = der.parts(explicit)
        version, digest_algorithms, encapsulated, certificates, signer_infos = der.parts(signed_data)
        tst_info_type, _content = der.parts(encapsulated)
        (signer_info,) = der.parts(signer_infos)
        signer_info_head, signed_attributes, signature_algorithm = der.signer_info_pieces(signer_info)
        at, ends, values = len(signed_attributes) - len(parser.parse(signed_attributes)[4]), {}, {}
        for attribute in der.parts(signed_attributes):
            parsed = cms.CMSAttribute.load(attribute)
            at += len(attribute)
            ends[parsed["type"].native] = at  # each attribute's one value ends it
            values[parsed["type"].native] = parsed["values"][0].contents
        return cls(
            status=status,
            token_type=token_type,
            signed_data_head=version + digest_algorithms,
            tst_info_type=tst_info_type,
            certificates=certificates,
            signer_info_head=signer_info_head,
            signed_attributes=signed_attributes,
            time_at=ends["signing_time"] - len(values["signing_time"]),
            digest_at=ends["message_digest"] - len(values["message_digest"]),
            signature_algorithm=signature_algorithm,
        )

    def signed_attributes_for(self, signing_time, message_digest):
        """The signed attributes with this signing time (a UTCTime's 13 characters) and digest: what is signed."""
        attributes = bytearray(self.signed_attributes)
        attributes[self.time_at : self.time_at + len(signing_time)] = signing_time
        attributes[self.digest_at : self.digest_at + len(message_digest)] = message_digest
        return bytes(attributes)

    def answer(self, tst_info, signed_attributes, signature):
        """The DER-encoded answer granting a token over `tst_info` with these signed attributes and signature."""
        signer_info = der.signer_info(self.signer_info_head, signed_attributes, self.signature_algorithm, signature)
        encapsulated = der.sequence(self.tst_info_type, parser.emit(2, 1, 0, der.octet_string(tst_info)))
        signed_data = der.sequence(self.signed_data_head, encapsulated, self.certificates, der.set_of_one(signer_info))
        return der.sequence(self.status, der.sequence(self.token_type, parser.emit(2, 1, 0, signed_data)))
