# The engine is tested on the documents it issues today, the civil status ones: their fixtures.
from raqmana.civil_status_documents.tests.conftest import (  # noqa: F401 (fixtures)
    HOLDER,
    agadir_agent,
    birth_act,
    proofs_found_clean,
)
