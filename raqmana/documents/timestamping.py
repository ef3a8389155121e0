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

from asn1crypto import cms, core, tsp
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pyhanko.sign.general import as_signing_certificate, simple_cms_attribute
from pyhanko.sign.timestamps import DummyTimeStamper, HTTPTimeStamper, TimeStamper, TimestampRequestError
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

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
    RSA key parsed once (pyHanko parses it for every token: 100 ms with the checks cryptography makes) and its
    signed attributes built once (asn1crypto takes 15 ms to assemble them), each token changing their time and
    digest only."""

    @functools.cached_property
    def private_key(self):
        return serialization.load_der_private_key(self.tsa_key.dump(), password=None)

    @functools.cached_property
    def signed_attributes(self):
        return cms.CMSAttributes(
            [
                simple_cms_attribute("content_type", "tst_info"),
                simple_cms_attribute(
                    "signing_time", cms.Time({"utc_time": core.UTCTime(datetime.datetime.now(datetime.UTC))})
                ),
                simple_cms_attribute("signing_certificate", as_signing_certificate(self.tsa_cert)),
                simple_cms_attribute("message_digest", b""),
            ]
        ).dump()

    def _sign_tst_info(self, tst_info_data, md_algorithm, dt):
        signed_attrs = cms.CMSAttributes.load(self.signed_attributes)
        for attribute in signed_attrs:
            if attribute["type"].native == "signing_time":
                attribute["values"] = [cms.Time({"utc_time": core.UTCTime(dt)})]
            elif attribute["type"].native == "message_digest":
                attribute["values"] = [hashlib.new(md_algorithm, tst_info_data).digest()]
        digest = get_pyca_cryptography_hash(md_algorithm)
        return self.private_key.sign(signed_attrs.dump(), padding.PKCS1v15(), digest), signed_attrs
