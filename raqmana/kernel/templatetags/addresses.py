"""`{% address 'portal:home' %}` and `{% static_address 'portal/raqmana.css' %}`: as `{% url %}` and `{% static %}`,
for the links of the page shell, worked out once (`raqmana.kernel.addresses`)."""

from django import template

from raqmana.kernel import addresses

register = template.Library()

register.simple_tag(addresses.page_address, name="address")
register.simple_tag(addresses.static_address, name="static_address")
