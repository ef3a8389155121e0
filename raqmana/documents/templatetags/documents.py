from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from raqmana.documents.pki import TSA_NAME

register = template.Library()


@register.filter
def in_language(pair):
    """The Arabic or the French of an [Arabic, French] pair kept in a document's content."""
    return pair[0] if (get_language() or "ar").startswith("ar") else pair[1]


@register.filter
def time_stamping_authority(name):
    """A time-stamping authority as a reader says it: the development one in words of the page's language; a
    real one by the name its certificate gives (a proper name, such as Barid eSign's)."""
    return _("the development time-stamping authority of Raqmana") if name == TSA_NAME else name
