"""The number a digitised act carries in its paper register, as written there: "123", or "123 مكرر" for an act
inserted after act 123. Loads and searches compare it the same way."""

import unicodedata


def written(paper_number: str) -> str:
    """The paper number as it is kept and compared: in NFC, its words separated by one space."""
    return " ".join(unicodedata.normalize("NFC", paper_number).split())


def plain_number(paper_number: str) -> int | None:
    """The number itself when the paper number is only digits (Western or Arabic-Indic), which the act keeps as its
    number in the register; None when a word stands beside it ("123 مكرر")."""
    text = written(paper_number)
    return int(text) if text.isdecimal() else None
