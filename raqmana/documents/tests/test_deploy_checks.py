from raqmana.documents.checks import time_stamping_authority_is_set


def test_a_deployment_signing_with_real_keys_needs_a_time_stamping_authority(settings):
    settings.RAQMANA_SIGNING_BACKEND, settings.RAQMANA_TSA_URL = "pkcs11", ""
    [error] = time_stamping_authority_is_set(None)
    assert error.id == "raqmana.E002"

    settings.RAQMANA_TSA_URL = "https://tsa.example.ma/tsr"
    assert time_stamping_authority_is_set(None) == []


def test_the_development_keys_bring_their_own_time_stamping_authority(settings):
    settings.RAQMANA_SIGNING_BACKEND, settings.RAQMANA_TSA_URL = "development", ""
    assert time_stamping_authority_is_set(None) == []
