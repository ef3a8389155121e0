"""Uploaded files are judged by their content, never by their name or the browser's word, and are size-limited."""

import filetype
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
PROOF_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def check_upload(data, allowed=PROOF_TYPES, max_bytes=MAX_UPLOAD_BYTES):
    """The file's extension for its real type, or a translated ValidationError."""
    if len(data) > max_bytes:
        raise ValidationError(_("The file is larger than %(size)s MB.") % {"size": max_bytes // (1024 * 1024)})
    kind = filetype.guess(data)
    if kind is None or kind.mime not in allowed:
        raise ValidationError(
            _("This kind of file is not accepted. Send one of: %(kinds)s.")
            % {"kinds": ", ".join(extension.upper() for extension in allowed.values())}
        )
    return allowed[kind.mime]
