"""SMS providers; RAQMANA_SMS_PROVIDER names the class. `ConsoleSms` writes messages to the log (development);
`HttpSms` posts them as JSON to an SMS gateway (RAQMANA_SMS_URL, with RAQMANA_SMS_TOKEN as bearer token), the
shape most aggregators accept or can be put behind.

`send(phone, text, reference=None)` returns what the provider answered (its id for the message). `reference` is the
notification's message id, the same for every send of one notification: `HttpSms` gives it as the
`Idempotency-Key` header and the `reference` field, so a gateway that deduplicates sends a retried message once."""

import json
import logging
import urllib.request

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class ConsoleSms:
    def send(self, phone, text, reference=None):
        logger.info("SMS %s to %s: %s", reference or "", phone, text)
        return "console"


class HttpSms:
    TIMEOUT_SECONDS = 10

    def send(self, phone, text, reference=None):
        message = {"to": phone, "text": text, "sender": settings.RAQMANA_SMS_SENDER}
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {settings.RAQMANA_SMS_TOKEN}"}
        if reference:
            message["reference"] = reference
            headers["Idempotency-Key"] = reference
        request = urllib.request.Request(
            settings.RAQMANA_SMS_URL, data=json.dumps(message).encode(), headers=headers, method="POST"
        )
        with urllib.request.urlopen(request, timeout=self.TIMEOUT_SECONDS) as response:
            return response.read().decode()[:300]


def sms_provider():
    """The configured provider, or None when no SMS is sent."""
    return import_string(settings.RAQMANA_SMS_PROVIDER)() if settings.RAQMANA_SMS_PROVIDER else None
