"""Virus scanning of stored uploads by ClamAV's daemon (clamd). A file the daemon has not scanned is never taken
as clean: when the daemon does not answer, the file waits, "pending", until a later scan."""

import io
import logging
import socket
from dataclasses import dataclass

import clamd
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

# When the daemon does not answer, the next tries of a stored file's scan, in minutes (its task, deferred where the
# backend can wait); past them the owning app's periodic sweep remains.
SCAN_RETRY_MINUTES = (1, 5, 15, 60, 240)


class ScanState(models.TextChoices):
    PENDING = "pending", _("Waiting for the virus scan")
    CLEAN = "clean", _("Scanned: no virus found")
    INFECTED = "infected", _("A virus was found: the file was deleted")


class ScannerUnavailable(Exception):
    """The daemon did not answer, or could not scan: the file stays pending."""


@dataclass(frozen=True)
class ScanResult:
    state: ScanState
    signature: str = ""  # the name of what was found, for an infected file


class _NetworkClamd(clamd.ClamdNetworkSocket):
    # clamd connects before it sets its timeout: a host that drops packets would hold a request for minutes.
    def _init_socket(self) -> None:
        try:
            self.clamd_socket = socket.create_connection((self.host, self.port), timeout=self.timeout)
        except OSError as error:
            raise clamd.ConnectionError(self._error_message(error)) from error

    # clamd closes its socket in a `finally` even when connecting failed, before the socket existed.
    def _close_socket(self) -> None:
        if getattr(self, "clamd_socket", None) is not None:
            self.clamd_socket.close()


def daemon() -> clamd.ClamdUnixSocket:
    timeout = settings.RAQMANA_CLAMD_TIMEOUT
    if settings.RAQMANA_CLAMD_SOCKET:
        return clamd.ClamdUnixSocket(settings.RAQMANA_CLAMD_SOCKET, timeout=timeout)
    return _NetworkClamd(settings.RAQMANA_CLAMD_HOST, settings.RAQMANA_CLAMD_PORT, timeout=timeout)


def scan(data: bytes) -> ScanResult:
    """ClamAV's verdict on these bytes, or ScannerUnavailable."""
    try:
        answer = daemon().instream(io.BytesIO(data))
    except (clamd.ClamdError, OSError) as error:
        logger.warning("Virus scanner unavailable: %s", error)
        raise ScannerUnavailable(str(error)) from error
    status, signature = answer["stream"] if answer else ("ERROR", "no answer")
    if status == "FOUND":
        return ScanResult(ScanState.INFECTED, signature)
    if status == "OK":
        return ScanResult(ScanState.CLEAN)
    logger.warning("Virus scanner could not scan a file: %s", signature)
    raise ScannerUnavailable(signature)
