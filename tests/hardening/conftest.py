"""Fixtures the probes borrow from the apps' tests."""

from raqmana.civil_status_documents.tests.conftest import agadir_agent, birth_act  # noqa: F401 (fixtures)
from raqmana.payments.tests.conftest import heard  # noqa: F401 (a fixture)
