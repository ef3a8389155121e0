"""Writes about people, one module per subject: sign-up and contact codes, two-factor authentication, enterprises
and their representatives, preferences. Every change is audited."""
