"""The virus scanner in tests: the development daemon (scripts/clamav/start-clamd) where it runs, or none."""

import clamd
import pytest

from raqmana.kernel import scanning


@pytest.fixture
def clamav():
    """ClamAV's daemon as configured (RAQMANA_CLAMD_*); the test is skipped, saying why, where none answers."""
    try:
        scanning.daemon().ping()
    except (clamd.ClamdError, OSError) as error:
        pytest.skip(f"No ClamAV daemon answers ({error}); start one with scripts/clamav/start-clamd")


@pytest.fixture
def scanner_away(settings, tmp_path):
    """The daemon's socket leads nowhere, as when clamd is stopped."""
    settings.RAQMANA_CLAMD_SOCKET = str(tmp_path / "no-clamd.sock")
