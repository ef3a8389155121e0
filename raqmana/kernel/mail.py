"""Development mail: each message written readable to a file, one line on the console saying where.

Django's console backend prints the MIME message, whose UTF-8 (Arabic) subject and body are base64: unreadable, and
ten of them hid `make run`'s demo logins."""

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from uuid import uuid4

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


class ReadableFileBackend(BaseEmailBackend):
    def __init__(self, directory: str, fail_silently: bool = False, **kwargs: Any) -> None:
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.directory = Path(directory)

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        self.directory.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            path = self.directory / f"{timezone.now():%Y%m%d-%H%M%S}-{uuid4().hex[:8]}.txt"
            recipients = ", ".join(message.recipients())
            path.write_text(
                f"From: {message.from_email}\nTo: {recipients}\nSubject: {message.subject}\n\n{message.body}\n",
                encoding="utf-8",
            )
            sys.stdout.write(f"Email to {recipients}: {path}\n")
        return len(email_messages)
