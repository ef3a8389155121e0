"""SMS providers; RAQMANA_SMS_PROVIDER names the class. `ConsoleSms` writes messages to the log (development);
`HttpSms` posts them as JSON to an SMS gateway (RAQMANA_SMS_URL, with RAQMANA_SMS_TOKEN as bearer token), the
shape most aggregators accept or can be put behind."""

import json
import logging
import urllib.request

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class ConsoleSms:
    def send(self, phone, text):
        logger.info("SMS to %s: %s", phone, text)
        return "console"


class HttpSms:
    TIMEOUT_SECONDS = 10

    def send(self, phone, text):
        request = urllib.request.Request(
            settings.RAQMANA_SMS_URL,
            data=json.dumps({"to": phone, "text": text, "sender": settings.RAQMANA_SMS_SENDER}).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {settings.RAQMANA_SMS_TOKEN}"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=self.TIMEOUT_SECONDS) as response:
            return response.read().decode()[:100]


def sms_provider():
    """The configured provider, or None when no SMS is sent."""
    return import_string(settings.RAQMANA_SMS_PROVIDER)() if settings.RAQMANA_SMS_PROVIDER else None
