"""The Digital Civil and Social Identifier (IDCS) given to each person registered at birth.

Eleven random digits, so that nothing about it can be guessed from the act, its office or its date, then a
Verhoeff check digit (python-stdnum), which catches every mistyped digit and every swap of two neighbours.
"""

import secrets

from stdnum import verhoeff

IDCS_LENGTH = 12


def new_idcs():
    body = str(secrets.randbelow(9 * 10**10) + 10**10)  # 11 digits, never a leading zero
    return body + verhoeff.calc_check_digit(body)


def is_valid_idcs(value):
    value = (value or "").replace(" ", "")
    return len(value) == IDCS_LENGTH and value.isdigit() and verhoeff.is_valid(value)
