from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def in_language(pair):
    """The Arabic or the French of an [Arabic, French] pair kept in a document's content."""
    return pair[0] if (get_language() or "ar").startswith("ar") else pair[1]
