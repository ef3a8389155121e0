import pytest

from .factories import RecordingSms


@pytest.fixture
def sms(settings):
    """SMS sent during the test, as (phone, text), instead of the console's log."""
    settings.RAQMANA_SMS_PROVIDER = "raqmana.accounts.tests.factories.RecordingSms"
    RecordingSms.sent.clear()
    return RecordingSms.sent
