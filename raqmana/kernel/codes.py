"""Codes people read and type by hand: enrolment codes, the verification code printed on an issued document,
payment references. One alphabet for them all: capital letters and digits without 0/O or 1/I, which are misread
on paper and on a screen, so 32 symbols (5 bits each).

Codes with a format of their own keep it: the IDCS (civil_status/idcs.py) is eleven digits and a check digit, a
national identifier; the one-time contact codes are six digits, typed from an SMS on a phone's number pad; API keys
and providers' references are read by machines only."""

import secrets

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def random_code(length: int) -> str:
    """`length` symbols of the alphabet drawn by the operating system's secure generator."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def is_code(text: str, length: int) -> bool:
    """Whether `text` (already normalised: upper case, no separators) could be a code of `length` symbols."""
    return len(text) == length and not set(text) - set(CODE_ALPHABET)
