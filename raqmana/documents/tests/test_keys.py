"""Production key stores: an office's PKCS#12 file, and a PKCS#11 token (SoftHSM2 standing in for an HSM); their
seals are long-term (PAdES B-LT) too, time-stamped by a TSA the national CA certifies."""

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from asn1crypto import keys as asn1_keys
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps import DummyTimeStamper
from pyhanko.sign.validation import DocumentSecurityStore

from raqmana.civil_status_documents.constants import CivilStatusDocument
from raqmana.civil_status_documents.services import issue_at_counter
from raqmana.civil_status_documents.tests.conftest import HOLDER
from raqmana.documents import pki, signing
from raqmana.documents.selectors import check_file

pytestmark = pytest.mark.django_db
DER = serialization.Encoding.DER
SOFTHSM = Path("/usr/lib/softhsm/libsofthsm2.so")


@pytest.fixture
def national_ca(tmp_path, settings):
    """A CA standing for the national one: its certificate is the deployment's trust root."""
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = pki._certificate(
        pki._name("Test national CA"), key.public_key(), pki._name("Test national CA"), key, is_ca=True
    )
    roots = tmp_path / "roots.pem"
    roots.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    settings.RAQMANA_SIGNING_TRUST_ROOTS = str(roots)
    return certificate, key


@pytest.fixture
def national_tsa(national_ca, monkeypatch):
    """A time-stamping authority the national CA certifies (pyHanko's own TSA), in place of RAQMANA_TSA_URL's."""
    ca_certificate, ca_key = national_ca
    key = rsa.generate_private_key(65537, 2048)
    certificate = pki._certificate(
        pki._name("Test national TSA"), key.public_key(), ca_certificate.subject, ca_key, is_ca=False,
        extended_key_usage=ExtendedKeyUsageOID.TIME_STAMPING,
    )  # fmt: skip
    authority = DummyTimeStamper(
        tsa_cert=pki._to_asn1(certificate), tsa_key=asn1_keys.PrivateKeyInfo.load(pki._pkcs8(key, DER))
    )
    monkeypatch.setattr(signing, "timestamper", lambda: authority)
    return authority


def office_certificate(office, public_key, national_ca):
    ca_certificate, ca_key = national_ca
    subject = pki._name(f"{office.name_fr} ({office.code})")
    return pki._certificate(subject, public_key, ca_certificate.subject, ca_key, is_ca=False)


def issue_and_check(birth_act, agent, office):
    document = issue_at_counter(
        birth_act, CivilStatusDocument.BIRTH_EXTRACT, office=office, by=agent, requester=HOLDER, purpose="Test"
    )
    pdf = document.pdf.read()
    check = check_file(pdf)
    assert check.authentic, check.seal
    assert check.seal.time_stamp.authority == "Test national TSA" == document.seal_timestamp_authority
    store = DocumentSecurityStore.read_dss(PdfFileReader(io.BytesIO(pdf)))
    names = {certificate.subject.native["common_name"] for certificate in store.load_certs()}
    assert {"Test national CA", "Test national TSA", f"{office.name_fr} ({office.code})"} <= names  # B-LT
    return check


@pytest.mark.parametrize(
    "new_key",
    [lambda: ec.generate_private_key(ec.SECP256R1()), lambda: rsa.generate_private_key(65537, 2048)],
    ids=["ec-p256", "rsa-2048"],
)
def test_an_office_signs_with_its_pkcs12_file(
    tmp_path, monkeypatch, settings, national_ca, national_tsa, birth_act, agent, temara_office, new_key
):
    key = new_key()
    certificate = office_certificate(temara_office, key.public_key(), national_ca)
    bundle = pkcs12.serialize_key_and_certificates(
        b"temara", key, certificate, [national_ca[0]], serialization.BestAvailableEncryption(b"secret")
    )
    (tmp_path / f"{temara_office.code}.p12").write_bytes(bundle)
    settings.RAQMANA_SIGNING_BACKEND = "pkcs12"
    settings.RAQMANA_PKCS12_DIR = str(tmp_path)
    settings.RAQMANA_PKCS12_PASSPHRASE = "secret"
    key_loads = []
    load_key = serialization.load_der_private_key
    monkeypatch.setattr(serialization, "load_der_private_key", lambda d, **k: key_loads.append(d) or load_key(d, **k))
    check = issue_and_check(birth_act, agent, temara_office)
    assert temara_office.code in check.seal.signer
    issue_and_check(birth_act, agent, temara_office)
    office_key_loads = [data for data in key_loads if data != national_tsa.tsa_key.dump()]
    assert len(office_key_loads) == 1  # parsed once, not for every seal: 35 ms with an RSA key


def test_a_development_seal_is_not_trusted_by_a_deployment(settings, national_ca, birth_act, agent, temara_office):
    document = issue_at_counter(
        birth_act, CivilStatusDocument.BIRTH_EXTRACT, office=temara_office, by=agent, requester=HOLDER, purpose="Test"
    )
    settings.RAQMANA_SIGNING_BACKEND = "pkcs12"
    seal = check_file(document.pdf.read()).seal
    assert seal.intact and not seal.trusted


PKCS11_KEYS = ["ec-p256", "rsa-4096"]


@pytest.fixture(scope="session")
def softhsm_configuration(tmp_path_factory):
    """A directory of SoftHSM tokens, one per kind of key, made before the library first reads it: it reads its
    configuration and tokens once per process."""
    directory = tmp_path_factory.mktemp("softhsm")
    (directory / "tokens").mkdir()
    configuration = directory / "softhsm2.conf"
    configuration.write_text(f"directories.tokendir = {directory / 'tokens'}\nobjectstore.backend = file\n")
    for key_type in PKCS11_KEYS:
        init = ["softhsm2-util", "--init-token", "--free", "--label", f"raqmana-{key_type}", "--pin", "1234"]
        subprocess.run(
            [*init, "--so-pin", "5678"],
            check=True,
            capture_output=True,
            env={**os.environ, "SOFTHSM2_CONF": str(configuration)},
        )
    return configuration


@pytest.mark.skipif(
    not SOFTHSM.exists() or not shutil.which("softhsm2-util"),
    reason="SoftHSM2 is not installed (apt-get install softhsm2)",
)
@pytest.mark.parametrize("key_type", PKCS11_KEYS)
def test_an_office_signs_with_a_pkcs11_token(
    softhsm_configuration, monkeypatch, settings, national_ca, national_tsa, birth_act, agent, temara_office, key_type
):
    import pkcs11
    from pkcs11 import Attribute, KeyType
    from pkcs11.util.ec import encode_ec_public_key, encode_named_curve_parameters
    from pkcs11.util.rsa import encode_rsa_public_key
    from pkcs11.util.x509 import decode_x509_certificate

    monkeypatch.setenv("SOFTHSM2_CONF", str(softhsm_configuration))
    label = f"raqmana-{key_type}"
    token = pkcs11.lib(str(SOFTHSM)).get_token(token_label=label)
    with token.open(rw=True, user_pin="1234") as session:
        if key_type == "rsa-4096":  # its signature, 512 bytes, as long as the placeholder pyHanko reserves
            public, _private = session.generate_keypair(KeyType.RSA, 4096, store=True, label=temara_office.code)
            public_key = serialization.load_der_public_key(encode_rsa_public_key(public))
        else:
            curve = session.create_domain_parameters(
                KeyType.EC, {Attribute.EC_PARAMS: encode_named_curve_parameters("secp256r1")}, local=True
            )
            public, _private = curve.generate_keypair(store=True, label=temara_office.code)
            public_key = serialization.load_der_public_key(encode_ec_public_key(public))
        certificate = office_certificate(temara_office, public_key, national_ca)
        stored = decode_x509_certificate(certificate.public_bytes(serialization.Encoding.DER))
        stored.update({Attribute.LABEL: temara_office.code, Attribute.TOKEN: True})
        session.create_object(stored)
    settings.RAQMANA_SIGNING_BACKEND = "pkcs11"
    settings.RAQMANA_PKCS11_MODULE = str(SOFTHSM)
    settings.RAQMANA_PKCS11_TOKEN = label
    settings.RAQMANA_PKCS11_PIN = "1234"
    check = issue_and_check(birth_act, agent, temara_office)
    assert temara_office.code in check.seal.signer


def test_a_long_name_with_accents_fits_a_certificate_s_common_name():
    """X.509 counts a common name's 64 in bytes of UTF-8: "é" takes two, and no character is cut in half."""
    name = pki._name("Guichet unique d'urbanisme de la commune de Témara-Ténéré-Séfrou-Ouézzane")
    common_name = name.rfc4514_string().split("CN=")[1].split(",")[0]
    assert len(common_name.encode()) <= 64 and common_name.startswith("Guichet unique")
