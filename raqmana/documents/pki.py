"""Who signs: each issuing unit (a civil status office today) signs the documents it issues with its own key.

Three key stores, chosen by RAQMANA_SIGNING_BACKEND:
- `development` (default): a local certification authority, created on first use under RAQMANA_PKI_DIR, issues
  each office an EC P-256 key and certificate. Its certificates are trusted only by this installation. It
  publishes a CRL (served at /documents/pki/ca.crl, named in each certificate it issues) and certifies the
  development time-stamping authority (`timestamping.py`).
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
import json
import os
from contextlib import contextmanager
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from pyhanko.keys import load_certs_from_pemder
from pyhanko.sign import signers
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

CA_NAME = "Raqmana Development CA"
TSA_NAME = "Raqmana Development Time-Stamping Authority"
CA_YEARS = 20
OFFICE_CERTIFICATE_DAYS = 825
TSA_CERTIFICATE_YEARS = 10
# The CRL is issued again when a day old or when a certificate is revoked, and says it is good for a week.
CRL_REISSUE_AFTER = datetime.timedelta(days=1)
CRL_VALIDITY = datetime.timedelta(days=7)
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


def known_crls():
    """The CRLs at hand without fetching: the development CA's own, read from its files."""
    return (development_crl(),) if settings.RAQMANA_SIGNING_BACKEND == "development" else ()


def seal_validation_context(crls):
    """How the validation data embedded in a seal are gathered: from the given CRLs (the development CA's, whose
    certificates all name it, so it is required), else fetched from the CRL and OCSP addresses a national CA's
    certificates name (a certificate that names none is taken without)."""
    if crls:
        return ValidationContext(trust_roots=trust_roots(), crls=crls, revocation_mode="require")
    return ValidationContext(trust_roots=trust_roots(), allow_fetching=True, revocation_mode="hard-fail")


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
        if not key_path.exists():
            _write(key_path, _pkcs8(ec.generate_private_key(ec.SECP256R1()), serialization.Encoding.PEM))
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        certificate = _read_certificate(certificate_path)
        # Certificates issued before the CA published a CRL do not name it: the office's key is certified again.
        if certificate is None or _crl_distribution_point(certificate) != development_crl_url():
            certificate = _certificate(
                _name(f"{office_name} ({office_code})"), key.public_key(), ca_certificate.subject, ca_key,
                is_ca=False, crl_url=development_crl_url(),
            )  # fmt: skip
            _write(certificate_path, certificate.public_bytes(serialization.Encoding.PEM))
    return OfficeKeySigner(
        signing_cert=_to_asn1(certificate),
        signing_key=asn1_keys.PrivateKeyInfo.load(_pkcs8(key, serialization.Encoding.DER)),
        cert_registry=SimpleCertificateStore.from_certs([_to_asn1(ca_certificate)]),
    )


def development_tsa():
    """(certificate, key) of the development time-stamping authority, in asn1crypto's types: certified by the
    development CA for time stamping only (RFC 3161 § 2.3). An RSA key: pyHanko's time stamper signs with RSA."""
    certificate, key = _development_tsa_in(_pki_dir(), development_crl_url())
    return _to_asn1(certificate), asn1_keys.PrivateKeyInfo.load(_pkcs8(key, serialization.Encoding.DER))


@functools.cache
def _development_tsa_in(directory, crl_url):
    ca_certificate, ca_key = _development_ca()
    key_path, certificate_path = directory / "tsa.key.pem", directory / "tsa.cert.pem"
    with _locked():
        if not key_path.exists():
            _write(key_path, _pkcs8(rsa.generate_private_key(65537, 2048), serialization.Encoding.PEM))
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        certificate = _read_certificate(certificate_path)
        if certificate is None or _crl_distribution_point(certificate) != crl_url:
            certificate = _certificate(
                _name(TSA_NAME), key.public_key(), ca_certificate.subject, ca_key, is_ca=False, crl_url=crl_url,
                extended_key_usage=ExtendedKeyUsageOID.TIME_STAMPING,
            )  # fmt: skip
            _write(certificate_path, certificate.public_bytes(serialization.Encoding.PEM))
    return certificate, key


def development_crl_url():
    """Where the development CA's CRL is published, as named in the certificates it issues."""
    return settings.RAQMANA_PUBLIC_URL + reverse("documents:crl")


def development_crl():
    """The development CA's current CRL, DER-encoded."""
    directory = _pki_dir()
    revoked = directory / "revoked.json"
    return _crl_in(directory, revoked.stat().st_mtime_ns if revoked.exists() else 0, _crl_day())


def _crl_day():
    """Today (UTC): each process reads the CRL file again every day, and issues a new CRL when it is a day old."""
    return datetime.datetime.now(datetime.UTC).date()


@functools.cache
def _crl_in(directory, revoked_version, day):
    ca_certificate, ca_key = _development_ca_in(directory)
    path = directory / "ca.crl"
    now = datetime.datetime.now(datetime.UTC)
    with _locked():
        if path.exists():
            data = path.read_bytes()
            crl = x509.load_der_x509_crl(data)
            issued_ns = crl.last_update_utc.timestamp() * 1e9
            if now - crl.last_update_utc < CRL_REISSUE_AFTER and issued_ns > revoked_version:
                return data
            number = crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number + 1
        else:
            number = 1
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(ca_certificate.subject)
            .last_update(now)
            .next_update(now + CRL_VALIDITY)
            .add_extension(x509.CRLNumber(number), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        )
        for serial, revoked_at in _revocations(directory).items():
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(int(serial))
                .revocation_date(datetime.datetime.fromisoformat(revoked_at))
                .build()
            )
        data = builder.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
        _write(path, data)
    return data


def revoke_development_certificate(serial_number, *, revoked_at):
    """List a certificate of the development CA in its CRL, as revoked since `revoked_at` (when its key was
    lost, say, which may be before the revocation is recorded)."""
    directory = _pki_dir()
    with _locked():
        revocations = _revocations(directory)
        revocations[str(serial_number)] = revoked_at.isoformat()
        _write(directory / "revoked.json", json.dumps(revocations).encode())


def _revocations(directory):
    path = directory / "revoked.json"
    return json.loads(path.read_bytes()) if path.exists() else {}


def _read_certificate(path):
    return x509.load_pem_x509_certificate(path.read_bytes()) if path.exists() else None


def _crl_distribution_point(certificate):
    try:
        points = certificate.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    except x509.ExtensionNotFound:
        return None
    return points[0].full_name[0].value


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
    # X.509 bounds a common name at 64 bytes of UTF-8, not 64 characters: "Témara" takes seven.
    shortened = common_name.encode()[:64].decode(errors="ignore")
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "MA"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Raqmana (development)"),
            x509.NameAttribute(NameOID.COMMON_NAME, shortened),
        ]
    )


def _certificate(subject, public_key, issuer, issuer_key, *, is_ca, crl_url=None, extended_key_usage=None):
    now = datetime.datetime.now(datetime.UTC)
    if is_ca:
        lifetime = datetime.timedelta(days=365 * CA_YEARS)
    elif extended_key_usage == ExtendedKeyUsageOID.TIME_STAMPING:
        lifetime = datetime.timedelta(days=365 * TSA_CERTIFICATE_YEARS)
    else:
        lifetime = datetime.timedelta(days=OFFICE_CERTIFICATE_DAYS)
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
    if crl_url:
        point = x509.DistributionPoint([x509.UniformResourceIdentifier(crl_url)], None, None, None)
        builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
    if extended_key_usage:
        # RFC 3161 § 2.3: a TSA's certificate has the time-stamping purpose alone, marked critical.
        builder = builder.add_extension(x509.ExtendedKeyUsage([extended_key_usage]), critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def _pkcs8(key, encoding):
    return key.private_bytes(encoding, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _to_asn1(certificate):
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))
