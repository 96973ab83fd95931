"""EDTF checks in cairn.records.schema.dates: the fast path agrees with the edtf library."""

from __future__ import annotations

import edtf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cairn.records.schema.dates import MAX_EDTF_LENGTH, is_edtf, parse_iso_date


def library_says(text: str, *, level1: bool) -> bool:
    """The edtf library's verdict, with InvenioRDM's type and chronology rules."""
    try:
        parsed = edtf.parse_edtf(text)
    except Exception:
        return False
    try:
        if parsed.upper_strict() < parsed.lower_strict():
            return False
    except Exception:
        pass
    allowed: tuple[type, ...] = (edtf.Date, edtf.Interval)
    if level1:
        allowed += (
            edtf.DateAndTime,
            edtf.UncertainOrApproximate,
            edtf.Unspecified,
            edtf.Level1Interval,
            edtf.LongYear,
            edtf.Season,
        )
    return type(parsed) in allowed


def _really_exists(text: str) -> bool:
    """False for days the edtf library accepts but no calendar has (2021-02-29)."""
    for part in text.split("/"):
        pieces = part.split("-")
        if len(pieces) == 3 and pieces[1] == "02" and pieces[2] == "29":
            year = int(pieces[0])
            if not (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
                return False
    return True


simple_dates = st.builds(
    lambda y, m, d, precision: [f"{y:04d}", f"{y:04d}-{m:02d}", f"{y:04d}-{m:02d}-{d:02d}"][
        precision
    ],
    st.integers(0, 9999) | st.sampled_from([0, 1900, 2000, 2020, 2021]),
    st.integers(0, 25) | st.just(2),
    st.integers(0, 32) | st.sampled_from([28, 29, 30, 31]),
    st.integers(0, 2),
)


@settings(max_examples=300, deadline=None)
@given(simple_dates, st.none() | simple_dates)
def test_fast_path_agrees_with_the_library(start: str, end: str | None) -> None:
    text = start if end is None else f"{start}/{end}"
    for level1 in (False, True):
        expected = library_says(text, level1=level1) and _really_exists(text)
        assert is_edtf(text, level1=level1) == expected, text


@pytest.mark.parametrize(
    ("text", "level0", "level1"),
    [
        ("2020", True, True),
        ("2020-11-10", True, True),
        ("1939/1945", True, True),
        ("2018/2020-09", True, True),
        ("2020-02-29", True, True),
        ("2021-02-29", False, False),
        ("2020-11-10T10:00:00", False, True),
        ("2020-11-10T10:00:00Z", False, True),
        ("2020?", False, True),
        ("2020~", False, True),
        ("201X", False, True),
        ("2020-21", False, True),
        ("2020/..", False, True),
        ("Y170000002", False, True),
        ("1945/1939", False, False),
        ("2020-13", False, False),
        ("{1667,1668}", False, False),
        ("2020-11-10T25:00:00", False, False),
        ("", False, False),
        (" 2020", False, False),
        ("٢٠٢٠", False, False),
        ("2" * (MAX_EDTF_LENGTH + 1), False, False),
    ],
)
def test_edtf_levels(text: str, level0: bool, level1: bool) -> None:
    assert is_edtf(text, level1=False) is level0
    assert is_edtf(text, level1=True) is level1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2131-01-01", "2131-01-01"),
        ("2131-01-01T12:30:00+02:00", "2131-01-01"),
        ("20310101", "2031-01-01"),
        ("2131-13-01", None),
        ("tomorrow", None),
        ("9" * 100, None),
    ],
)
def test_iso_dates(text: str, expected: str | None) -> None:
    parsed = parse_iso_date(text)
    assert (parsed.isoformat() if parsed else None) == expected
