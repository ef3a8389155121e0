"""Who signs: each civil status office signs the documents it issues with its own key.

Three key stores, chosen by RAQMANA_SIGNING_BACKEND:
- `development` (default): a local certification authority, created on first use under RAQMANA_PKI_DIR, issues
  each office an EC P-256 key and certificate. Its certificates are trusted only by this installation.
- `pkcs12`: one PKCS#12 file per office, `<RAQMANA_PKCS12_DIR>/<office code>.p12`, opened with
  RAQMANA_PKCS12_PASSPHRASE; the certificates the national CA issued.
- `pkcs11`: a token (HSM or smart card) through its PKCS#11 module (RAQMANA_PKCS11_MODULE, RAQMANA_PKCS11_TOKEN,
  RAQMANA_PKCS11_PIN) where each office's key and certificate are labelled with the office's code.

Signers are built once per office and process and kept, with their key parsed once (`OfficeKeySigner`):
loading a key, above all an RSA one, costs more than a signature.
"""

import datetime
import fcntl
import functools
import os
from contextlib import contextmanager
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pyhanko.keys import load_certs_from_pemder
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

CA_NAME = "Raqmana Development CA"
CA_YEARS = 20
OFFICE_CERTIFICATE_DAYS = 825
KEY_USAGES = (
    "digital_signature", "content_commitment", "key_encipherment", "data_encipherment", "key_agreement",
    "key_cert_sign", "crl_sign", "encipher_only", "decipher_only",
)  # fmt: skip


def signer_for(office):
    """The pyHanko signer holding this office's key and certificate chain."""
    backend = settings.RAQMANA_SIGNING_BACKEND
    # The cache key holds where keys come from, so that a changed configuration is never served stale keys.
    where = {
        "development": settings.RAQMANA_PKI_DIR,
        "pkcs12": settings.RAQMANA_PKCS12_DIR,
        "pkcs11": f"{settings.RAQMANA_PKCS11_MODULE}:{settings.RAQMANA_PKCS11_TOKEN}",
    }.get(backend)
    return _signer(backend, where, office.code, office.name_fr)


def trust_roots():
    """The certificates a document's signature must chain to for the platform to call it authentic."""
    if settings.RAQMANA_SIGNING_BACKEND == "development":
        return [_to_asn1(_development_ca()[0])]
    bundle = settings.RAQMANA_SIGNING_TRUST_ROOTS
    if not bundle:
        raise ImproperlyConfigured("Set RAQMANA_SIGNING_TRUST_ROOTS to the PEM file of the national CA certificates.")
    return list(load_certs_from_pemder([bundle]))


@functools.cache
def _signer(backend, where, office_code, office_name):
    if backend == "development":
        return _development_signer(office_code, office_name)
    if backend == "pkcs12":
        passphrase = settings.RAQMANA_PKCS12_PASSPHRASE.encode() or None
        path = Path(where) / f"{office_code}.p12"
        if not path.exists():
            raise ImproperlyConfigured(f"No PKCS#12 file for office {office_code}: {path}")
        loaded = signers.SimpleSigner.load_pkcs12(str(path), passphrase=passphrase)
        return OfficeKeySigner(
            signing_cert=loaded.signing_cert, signing_key=loaded.signing_key, cert_registry=loaded.cert_registry
        )
    if backend == "pkcs11":
        return _pkcs11_signer(office_code)
    raise ImproperlyConfigured("RAQMANA_SIGNING_BACKEND must be development, pkcs12 or pkcs11.")


class OfficeKeySigner(signers.SimpleSigner):
    """pyHanko's signer for a key held in memory, with the key parsed once. `SimpleSigner` parses it again for
    every signature: 35 ms with an RSA-2048 key, which cryptography validates on loading, against 0.3 ms for
    the signature itself. RSA (PKCS#1 v1.5) and ECDSA keys, the ones certification authorities issue for seals,
    sign here; any other mechanism goes through `SimpleSigner`."""

    @functools.cached_property
    def private_key(self):
        return serialization.load_der_private_key(self.signing_key.dump(), password=None)

    def sign_raw(self, data, digest_algorithm):
        try:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        except ValueError:
            mechanism = None
        digest = get_pyca_cryptography_hash(digest_algorithm)
        if mechanism == "rsassa_pkcs1v15":
            return self.private_key.sign(data, padding.PKCS1v15(), digest)
        if mechanism == "ecdsa":
            return self.private_key.sign(data, ec.ECDSA(digest))
        return super().sign_raw(data, digest_algorithm)


def _pkcs11_signer(office_code):
    # Imported here: python-pkcs11 is needed only by deployments that sign with a token.
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign import pkcs11

    session = pkcs11.open_pkcs11_session(
        settings.RAQMANA_PKCS11_MODULE,
        token_criteria=TokenCriteria(label=settings.RAQMANA_PKCS11_TOKEN),
        user_pin=settings.RAQMANA_PKCS11_PIN,
    )
    # The digest is computed here and only signed by the token (the "raw" mechanisms): every token offers those,
    # while hash-and-sign mechanisms such as CKM_ECDSA_SHA256 are missing from many (SoftHSM2 among them).
    return pkcs11.PKCS11Signer(session, cert_label=office_code, key_label=office_code, use_raw_mechanism=True)


def _development_signer(office_code, office_name):
    ca_certificate, ca_key = _development_ca()
    directory = _pki_dir() / "offices"
    key_path, certificate_path = directory / f"{office_code}.key.pem", directory / f"{office_code}.cert.pem"
    with _locked():
        if not certificate_path.exists():
            key = ec.generate_private_key(ec.SECP256R1())
            certificate = _certificate(
                _name(f"{office_name} ({office_code})"), key.public_key(), ca_certificate.subject, ca_key, is_ca=False
            )
            _write(key_path, _pkcs8(key, serialization.Encoding.PEM))
            _write(certificate_path, certificate.public_bytes(serialization.Encoding.PEM))
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    certificate = x509.load_pem_x509_certificate(certificate_path.read_bytes())
    return OfficeKeySigner(
        signing_cert=_to_asn1(certificate),
        signing_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        ),
        cert_registry=SimpleCertificateStore.from_certs([_to_asn1(ca_certificate)]),
    )


@functools.cache
def _development_ca_in(directory):
    certificate_path, key_path = directory / "ca.cert.pem", directory / "ca.key.pem"
    with _locked():
        if not certificate_path.exists():
            key = ec.generate_private_key(ec.SECP256R1())
            certificate = _certificate(_name(CA_NAME), key.public_key(), _name(CA_NAME), key, is_ca=True)
            _write(key_path, _pkcs8(key, serialization.Encoding.PEM))
            _write(certificate_path, certificate.public_bytes(serialization.Encoding.PEM))
    certificate = x509.load_pem_x509_certificate(certificate_path.read_bytes())
    return certificate, serialization.load_pem_private_key(key_path.read_bytes(), password=None)


def _development_ca():
    """(certificate, key) of the development CA; the certificate as cryptography's object."""
    return _development_ca_in(_pki_dir())


def _pki_dir():
    directory = Path(settings.RAQMANA_PKI_DIR)
    (directory / "offices").mkdir(parents=True, exist_ok=True, mode=0o700)
    return directory


@contextmanager
def _locked():
    """One process at a time creates keys: two development CAs would each sign offices the other does not know."""
    with open(_pki_dir() / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _write(path, data):
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(data)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def _name(common_name):
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "MA"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Raqmana (development)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
        ]
    )


def _certificate(subject, public_key, issuer, issuer_key, *, is_ca):
    now = datetime.datetime.now(datetime.UTC)
    lifetime = datetime.timedelta(days=365 * CA_YEARS if is_ca else OFFICE_CERTIFICATE_DAYS)
    granted = {"key_cert_sign", "crl_sign"} if is_ca else {"digital_signature", "content_commitment"}
    usage = {name: name in granted for name in KEY_USAGES}
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + lifetime)
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=0 if is_ca else None), critical=True)
        .add_extension(x509.KeyUsage(**usage), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
    )
    return builder.sign(issuer_key, hashes.SHA256())


def _pkcs8(key, encoding):
    return key.private_bytes(encoding, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _to_asn1(certificate):
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))
