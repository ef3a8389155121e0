# English pages follow the Moroccan dates of the Arabic ones; only punctuation and separators differ.
from raqmana.formats.ar.formats import *  # noqa: F403

DATETIME_FORMAT = "j F Y, H:i"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
