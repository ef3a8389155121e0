from django.db import models
from django.utils.translation import gettext_lazy as _

# Of kernel.codes.CODE_ALPHABET: the code is also typed by hand from the paper.
VERIFICATION_CODE_LENGTH = 16  # 80 bits: not guessable, so the verification page may show what the PDF shows

# The register issued documents are numbered in, by issuing unit and year (kernel.sequences).
DOCUMENT_REGISTER = "documents.document"

# Verification is public: enough for a person or a desk checking documents, not for enumerating codes
# (settings.RAQMANA_VERIFY_RATE per address, 30 a minute by default).
UPLOAD_RATE = "10/m"

PDF_NOT_STORED = _(
    "The sealed PDF of this document could not be stored. Ask an officer of the issuing office to revoke it and "
    "issue it again."
)


class DocumentStatus(models.TextChoices):
    VALID = "valid", _("Authentic and current")
    SUPERSEDED = "superseded", _("Authentic, but superseded: what it certifies has changed since")
    REVOKED = "revoked", _("Revoked")
