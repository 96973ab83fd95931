"""Dates: EDTF for ``publication_date`` and ``dates[].date``, ISO dates for embargoes.

The ``edtf`` library decides what is valid.  It is slow (a few milliseconds a parse), so the
plain level-0 forms almost every record uses - ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` and
intervals of two of them - are checked by a small exact parser first; everything else goes
to the library, whose answers are cached.  ``tests/unit/test_schema_dates.py`` checks that
both agree.

Rules (InvenioRDM's): ``publication_date`` is an EDTF level-0 date or interval, without a
time; ``dates[].date`` may also be a date and time and may use EDTF level-1 features
(uncertain ``2004?``, approximate ``2004~``, unspecified ``20XX``, seasons, open intervals
``2004/..``, long years).  An interval must not end before it starts.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime
from functools import lru_cache
from typing import Annotated, Any

import edtf
from pydantic import AfterValidator

from .messages import INVALID_DATE, NOT_A_DATE, fail
from .text import OptText

MAX_EDTF_LENGTH = 64

_SIMPLE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

LEVEL0 = (edtf.Date, edtf.Interval)
LEVEL1 = (
    edtf.Date,
    edtf.DateAndTime,
    edtf.Interval,
    edtf.UncertainOrApproximate,
    edtf.Unspecified,
    edtf.Level1Interval,
    edtf.LongYear,
    edtf.Season,
)


Day = tuple[int, int, int]


def _simple_bounds(text: str) -> tuple[Day, Day] | bool:
    """First and last day of a plain ``YYYY[-MM[-DD]]`` date.

    False when it has that form but no such day exists, True when it is not a plain
    calendar date (the library must decide).
    """
    match = _SIMPLE.fullmatch(text)
    if match is None:
        return True
    year = int(match.group(1))
    if match.group(2) is None:
        return (year, 1, 1), (year, 12, 31)
    month = int(match.group(2))
    if not 1 <= month <= 12:
        return True  # not a month; maybe a season (2020-21): the library decides
    last = _DAYS[month - 1] + (1 if month == 2 and calendar.isleap(year) else 0)
    if match.group(3) is None:
        return (year, month, 1), (year, month, last)
    day = int(match.group(3))
    if not 1 <= day <= last:
        return False
    return (year, month, day), (year, month, day)


def _fast_check(text: str) -> bool | None:
    """True/False for plain level-0 dates and intervals; None when the library must decide."""
    parts = text.split("/")
    if len(parts) > 2:
        return None
    bounds = [_simple_bounds(part) for part in parts]
    if any(bound is False for bound in bounds):
        return False
    if any(bound is True for bound in bounds):
        return None
    if len(bounds) == 2:
        first, second = bounds
        assert isinstance(first, tuple) and isinstance(second, tuple)
        return first[0] <= second[1]
    return True


@lru_cache(maxsize=4096)
def _parse(text: str) -> tuple[type[Any] | None, bool]:
    """The EDTF class of ``text`` (None if unparsable) and whether it is chronological."""
    try:
        parsed = edtf.parse_edtf(text)
    except Exception:  # the library raises several kinds on odd input
        return None, False
    if parsed is None:
        return None, False
    try:
        chronological = not parsed.upper_strict() < parsed.lower_strict()
    except Exception:  # open or unknown bounds cannot be compared: nothing to check
        chronological = True
    return type(parsed), chronological


def is_edtf(text: str, *, level1: bool) -> bool:
    """Whether ``text`` is a valid EDTF date/interval (level 0, or levels 0-1 with times)."""
    if not text or len(text) > MAX_EDTF_LENGTH or text != text.strip():
        return False
    quick = _fast_check(text)
    if quick is not None:
        return quick
    kind, chronological = _parse(text)
    if kind is None or not chronological:
        return False
    allowed = LEVEL1 if level1 else LEVEL0
    return kind in allowed


def _edtf(level1: bool) -> AfterValidator:
    def check(value: str | None) -> str | None:
        if value is not None and not is_edtf(value, level1=level1):
            raise fail(INVALID_DATE)
        return value

    return AfterValidator(check)


PublicationDate = Annotated[OptText, _edtf(level1=False)]
"""EDTF level 0 date or interval, e.g. ``2020``, ``2020-11-10``, ``2018/2020-09``."""

EdtfDate = Annotated[OptText, _edtf(level1=True)]
"""EDTF level 0 or 1 date, date and time, or interval."""


def parse_iso_date(value: str) -> date | None:
    """A date from ``YYYY-MM-DD`` (or a full ISO date-time, whose date part is used)."""
    if len(value) > 64:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(value).date()
    except ValueError:
        return None


def _iso_date(value: str | None) -> str | None:
    if value is None:
        return None
    parsed = parse_iso_date(value)
    if parsed is None:
        raise fail(NOT_A_DATE)
    return parsed.isoformat()


IsoDate = Annotated[OptText, AfterValidator(_iso_date)]
"""An ISO 8601 date, stored as ``YYYY-MM-DD``."""
