"""Download header logic (cairn.files.http)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from email.message import Message
from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cairn.files.http import (
    SECURITY_HEADERS,
    content_disposition,
    content_range,
    etag_matches,
    guess_mimetype,
    http_date,
    if_range_matches,
    is_inline_safe,
    parse_http_date,
    parse_range,
    security_headers,
    unsatisfiable_range,
)

# -- Range -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("bytes=0-99", (0, 100)),
        ("bytes=0-0", (0, 1)),
        ("bytes=100-", (100, 1000)),
        ("bytes=999-", (999, 1000)),
        ("bytes=-100", (900, 1000)),
        ("bytes=-1", (999, 1000)),
        ("bytes=-5000", (0, 1000)),  # longer suffix than the entity: all of it
        ("bytes=500-5000", (500, 1000)),  # clamped to the size
        ("bytes=0-999", (0, 1000)),
        ("bytes=0-1000", (0, 1000)),
        ("Bytes=1-2", (1, 3)),
        ("BYTES = 1 - 2", (1, 3)),
        (" bytes=\t10-20 ", (10, 21)),
        ("bytes=10-20,", (10, 21)),  # empty list elements are ignored
        ("bytes=, 10-20", (10, 21)),
        ("bytes=1000-", "unsatisfiable"),
        ("bytes=1000-2000", "unsatisfiable"),
        ("bytes=5000-", "unsatisfiable"),
        ("bytes=-0", "unsatisfiable"),
        # ignored: the whole entity is sent with 200
        ("", None),
        ("bytes", None),
        ("bytes=", None),
        ("bytes=-", None),
        ("bytes=abc", None),
        ("bytes=1-a", None),
        ("bytes=a-1", None),
        ("bytes=5-1", None),  # last < first: invalid, so ignored
        ("bytes=-1-2", None),
        ("bytes=1-2-3", None),
        ("bytes=+1-2", None),
        ("bytes=0x10-20", None),
        ("bytes=\u0661-\u0662", None),  # ARABIC-INDIC digits: not DIGIT
        ("bytes=1 2-3", None),
        ("items=0-9", None),
        ("0-9", None),
        ("bytes=0-9,20-29", None),  # several ranges: whole entity
        ("bytes=0-9, 5000-6000", None),
    ],
)
def test_parse_range(header: str | None, expected: object) -> None:
    assert parse_range(header, 1000) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [("bytes=0-", "unsatisfiable"), ("bytes=0-0", "unsatisfiable"), ("bytes=-5", None)],
)
def test_parse_range_of_an_empty_entity(header: str, expected: object) -> None:
    # a suffix of an empty entity is satisfiable by RFC 9110 but selects nothing that a
    # Content-Range could express, so the (empty) entity is sent whole
    assert parse_range(header, 0) == expected


@given(st.text(max_size=30), st.integers(0, 10_000))
def test_parse_range_never_crashes_and_stays_inside(header: str, size: int) -> None:
    result = parse_range(header, size)
    if isinstance(result, tuple):
        start, end = result
        assert 0 <= start < end <= size


@given(st.integers(0, 10_000), st.integers(0, 10_000), st.integers(1, 10_000))
def test_parse_range_int_ranges(first: int, last: int, size: int) -> None:
    result = parse_range(f"bytes={first}-{last}", size)
    if last < first:
        assert result is None
    elif first >= size:
        assert result == "unsatisfiable"
    else:
        assert result == (first, min(last + 1, size))
        assert content_range(*result, size) == f"bytes {first}-{min(last, size - 1)}/{size}"


def test_content_range() -> None:
    assert content_range(0, 100, 1000) == "bytes 0-99/1000"
    assert content_range(999, 1000, 1000) == "bytes 999-999/1000"
    assert unsatisfiable_range(1000) == "bytes */1000"
    for bad in [(5, 5, 10), (-1, 5, 10), (0, 11, 10), (6, 5, 10)]:
        with pytest.raises(ValueError):
            content_range(*bad)


# -- validators --------------------------------------------------------------------------

ETAG = '"md5:abc123"'
MODIFIED = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, False),
        ("*", True),
        (" * ", True),
        ('"md5:abc123"', True),
        ('W/"md5:abc123"', True),  # weak comparison
        ('"other", "md5:abc123"', True),
        ('"other",W/"md5:abc123" ,', True),
        ('"a,b", "md5:abc123"', True),  # commas inside a tag
        ('"other"', False),
        ('"md5:abc12"', False),
        ("md5:abc123", False),  # unquoted: malformed
        ('"md5:abc123', False),
        ('"x" garbage "md5:abc123"', False),
        ("", False),
        (",", False),
    ],
)
def test_etag_matches(header: str | None, expected: bool) -> None:
    assert etag_matches(header, ETAG) is expected


def test_etag_matches_a_weak_or_bare_server_etag() -> None:
    assert etag_matches('"v1"', 'W/"v1"')
    assert etag_matches('W/"v1"', "v1")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, True),
        ('"md5:abc123"', True),
        (' "md5:abc123" ', True),
        ('W/"md5:abc123"', False),  # If-Range needs a strong match
        ('"other"', False),
        ('"md5:abc123", "x"', False),  # If-Range holds one validator, not a list
        ("Mon, 06 May 2024 07:08:09 GMT", True),
        ("Monday, 06-May-24 07:08:09 GMT", True),
        ("Mon May  6 07:08:09 2024", True),
        ("Mon, 06 May 2024 07:08:10 GMT", False),
        ("Mon, 06 May 2024 07:08:08 GMT", False),
        ("yesterday", False),
        ("", False),
    ],
)
def test_if_range_matches(header: str | None, expected: bool) -> None:
    assert if_range_matches(header, ETAG, MODIFIED) is expected


def test_if_range_with_sub_second_and_naive_last_modified() -> None:
    header = "Mon, 06 May 2024 07:08:09 GMT"
    assert if_range_matches(header, ETAG, MODIFIED + timedelta(microseconds=999_999))
    assert if_range_matches(header, ETAG, MODIFIED.replace(tzinfo=None))
    assert not if_range_matches('"md5:abc123"', 'W/"md5:abc123"', MODIFIED)


# -- dates -------------------------------------------------------------------------------


def test_http_date_is_imf_fixdate_in_gmt() -> None:
    assert http_date(datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)) == (
        "Sun, 06 Nov 1994 08:49:37 GMT"
    )
    plus_two = timezone(timedelta(hours=2))
    assert http_date(datetime(2024, 1, 1, 1, 0, 0, tzinfo=plus_two)) == (
        "Sun, 31 Dec 2023 23:00:00 GMT"
    )
    assert http_date(datetime(2024, 5, 6, 7, 8, 9, 500)) == "Mon, 06 May 2024 07:08:09 GMT"


@pytest.mark.parametrize(
    "value",
    [
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994",
        " sun, 06 nov 1994 08:49:37 GMT ",
    ],
)
def test_parse_http_date_accepts_the_three_forms(value: str) -> None:
    assert parse_http_date(value) == datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)


def test_rfc850_years_are_never_far_in_the_future() -> None:
    parsed = parse_http_date("Thursday, 01-Jan-70 00:00:00 GMT")
    far_future = datetime.now(UTC).year + 50 < 2070
    assert parsed is not None and parsed.year == (1970 if far_future else 2070)
    assert parse_http_date("Saturday, 01-Jan-00 00:00:00 GMT") == datetime(2000, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "Sun, 31 Feb 1994 08:49:37 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 25:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 6 Nov 1994 08:49:37 GMT",
        "2024-05-06T07:08:09Z",
        "1715000000",
    ],
)
def test_parse_http_date_rejects(value: str | None) -> None:
    assert parse_http_date(value) is None


@given(st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31)))
def test_http_date_round_trips(value: datetime) -> None:
    assert parse_http_date(http_date(value)) == value.replace(microsecond=0, tzinfo=UTC)


# -- Content-Disposition -----------------------------------------------------------------


def parsed_filename(header: str) -> str | None:
    """``filename*`` as decoded by the standard library's RFC 2231 parser (8187's parent)."""
    extended = header.split("; ", 1)[0] + "; filename*=" + header.rsplit("filename*=", 1)[1]
    message = Message()
    message["Content-Disposition"] = extended
    return message.get_filename()


@pytest.mark.parametrize(
    ("key", "fallback", "encoded"),
    [
        ("data.csv", "data.csv", "data.csv"),
        ("a b.txt", "a b.txt", "a%20b.txt"),
        ("folder/sub/report.pdf", "report.pdf", "report.pdf"),
        ('say "hi".txt', "say _hi_.txt", "say%20%22hi%22.txt"),
        ("a;b=c.txt", "a;b=c.txt", "a%3Bb%3Dc.txt"),
        ("back\\slash.txt", "back_slash.txt", "back%5Cslash.txt"),
        ("50%.txt", "50_.txt", "50%25.txt"),
        ("café.txt", "cafe.txt", "caf%C3%A9.txt"),
        ("漢字.txt", "__.txt", "%E6%BC%A2%E5%AD%97.txt"),
        ("a\r\nSet-Cookie: x=1", "a__Set-Cookie: x=1", "a__Set-Cookie%3A%20x%3D1"),
        ("tab\there", "tab_here", "tab_here"),
        ("", "download", "download"),
        ("x/", "download", "download"),
    ],
)
@pytest.mark.parametrize("inline", [True, False])
def test_content_disposition(key: str, fallback: str, encoded: str, inline: bool) -> None:
    kind = "inline" if inline else "attachment"
    expected = f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"
    assert content_disposition(key, inline) == expected


@given(st.text(max_size=40))
def test_content_disposition_is_always_a_safe_header(key: str) -> None:
    header = content_disposition(key, False)
    assert header.isascii() and header.isprintable()
    assert header.startswith('attachment; filename="')
    fallback = header.split('filename="', 1)[1].split('"; filename*=', 1)[0]
    assert '"' not in fallback and "\\" not in fallback
    encoded = header.rsplit("filename*=UTF-8''", 1)[1]
    name = unquote(encoded, errors="strict")
    assert "/" not in name
    assert not any(ch in name for ch in "\r\n\x00")
    assert (parsed_filename(header) or "").strip() == name.strip()  # the parser strips


def test_content_disposition_is_understood_by_an_rfc_2231_parser() -> None:
    for key in ('folder/é 漢字; "x".csv', "plain.txt"):
        assert parsed_filename(content_disposition(key, True)) == key.rsplit("/", 1)[-1]


# -- types and security headers ----------------------------------------------------------


@pytest.mark.parametrize(
    ("mimetype", "safe"),
    [
        ("image/png", True),
        ("image/jpeg", True),
        ("IMAGE/JPEG; foo=bar", True),
        ("image/gif", True),
        ("image/webp", True),
        ("image/avif", True),
        ("image/tiff", True),
        ("application/pdf", True),
        ("text/plain", True),
        ("text/plain; charset=utf-8", True),
        ("text/csv", True),
        ("application/json", True),
        ("audio/mpeg", True),
        ("video/mp4", True),
        ("image/svg+xml", False),
        ("text/html", False),
        ("application/xhtml+xml", False),
        ("text/xml", False),
        ("application/xml", False),
        ("application/atom+xml", False),
        ("text/javascript", False),
        ("application/javascript", False),
        ("text/css", False),
        ("application/octet-stream", False),
        ("application/x-ipynb+json", False),
        ("application/zip", False),
        ("text/markdown", False),
        ("multipart/x-mixed-replace", False),
        ("", False),
        ("garbage", False),
    ],
)
def test_is_inline_safe(mimetype: str, safe: bool) -> None:
    assert is_inline_safe(mimetype) is safe


def test_security_headers() -> None:
    assert SECURITY_HEADERS["X-Content-Type-Options"] == "nosniff"
    csp = SECURITY_HEADERS["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "sandbox" in csp.split("; ")
    assert security_headers("text/html", False) == SECURITY_HEADERS
    assert security_headers("image/png", True) == SECURITY_HEADERS
    assert security_headers("application/pdf", False) == SECURITY_HEADERS
    # Chromium will not run its PDF viewer in a sandboxed document
    assert security_headers("application/pdf", True) == {"X-Content-Type-Options": "nosniff"}
    headers = security_headers("text/plain", True)
    headers["X-Extra"] = "1"
    assert "X-Extra" not in SECURITY_HEADERS  # callers get a copy


@pytest.mark.parametrize(
    ("key", "mimetype"),
    [
        ("data.csv", "text/csv"),
        ("DATA.CSV", "text/csv"),
        ("folder/table.tsv", "text/tab-separated-values"),
        ("notebook.ipynb", "application/x-ipynb+json"),
        ("README.md", "text/markdown"),
        ("map.geojson", "application/geo+json"),
        ("climate.nc", "application/x-netcdf"),
        ("table.parquet", "application/vnd.apache.parquet"),
        ("image.fits", "application/fits"),
        ("cube.h5", "application/x-hdf5"),
        ("cube.hdf5", "application/x-hdf5"),
        ("all.zip", "application/zip"),
        ("data.csv.gz", "application/gzip"),  # never text/csv + Content-Encoding
        ("src.tar.gz", "application/gzip"),
        ("src.tgz", "application/gzip"),
        ("paper.pdf", "application/pdf"),
        ("photo.JPG", "image/jpeg"),
        ("plot.png", "image/png"),
        ("figure.svg", "image/svg+xml"),
        ("page.html", "text/html"),
        ("notes.txt", "text/plain"),
        ("data.json", "application/json"),
        ("scan.tif", "image/tiff"),
        ("Makefile", "application/octet-stream"),
        (".bashrc", "application/octet-stream"),
        ("folder.v2/noext", "application/octet-stream"),
        ("data.unknownext", "application/octet-stream"),
        ("trailingdot.", "application/octet-stream"),
        ("data:text/html,x", "application/octet-stream"),  # not read as a data: URL
    ],
)
def test_guess_mimetype(key: str, mimetype: str) -> None:
    assert guess_mimetype(key) == mimetype
