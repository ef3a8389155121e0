"""Dates, times and whole numbers as the API takes them.

Dates and times are ISO strings only: Pydantic would also read a number as a Unix timestamp (`0` as 1 January
1970) and keep a time's UTC offset, which a civil status act has no column for; both are refused here by name
instead of being stored wrong. Whole numbers are bounded by what they count, so that one no column or date can
hold is refused with the bounds instead of failing in the database.
"""

import re
from datetime import date, time
from typing import Annotated

from pydantic import BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
LOCAL_TIME = re.compile(r"\d{2}:\d{2}(:\d{2})?")


def _iso_date(value: object) -> object:
    if isinstance(value, date) or (isinstance(value, str) and ISO_DATE.fullmatch(value)):
        return value
    raise PydanticCustomError("date_format", "Enter a valid date (YYYY-MM-DD).")


def _local_time(value: object) -> object:
    if (isinstance(value, time) and value.tzinfo is None) or (isinstance(value, str) and LOCAL_TIME.fullmatch(value)):
        return value
    raise PydanticCustomError("time_format", "Enter a valid time (HH:MM), in Morocco's local time.")


Day = Annotated[date, BeforeValidator(_iso_date), WithJsonSchema({"type": "string", "format": "date"})]
LocalTime = Annotated[
    time, BeforeValidator(_local_time), WithJsonSchema({"type": "string", "pattern": LOCAL_TIME.pattern})
]

# A row's id: the largest a 64-bit primary key holds.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
# A number given in a yearly sequence (an act's, a document's), as their 32-bit columns hold; forms use it too.
MAX_SEQUENCE_NUMBER = 2**31 - 1
SequenceNumber = Annotated[int, Field(ge=1, le=MAX_SEQUENCE_NUMBER)]
# A year a date can be in (Python's dates stop at 9999).
Year = Annotated[int, Field(ge=1, le=9999)]
