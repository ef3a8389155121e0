from raqmana.civil_status_documents.tests.conftest import birth_act  # noqa: F401 (a fixture: uploads are tried on an order)
from raqmana.kernel.tests.scanner import clamav, scanner_away  # noqa: F401 (fixtures)
