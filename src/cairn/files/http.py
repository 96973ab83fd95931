"""Download header logic: ranges, validators, dates, Content-Disposition, safe types.

Pure functions over strings and datetimes, no framework. The delivery layer calls them to
build a file response:

- ``parse_range`` -> ``None`` (send 200 with the whole entity), ``(start, end)`` (send 206 with
  ``content_range(start, end, size)``) or ``"unsatisfiable"`` (send 416 with
  ``unsatisfiable_range(size)``);
- ``if_range_matches`` decides whether a ``Range`` is honoured at all;
- ``etag_matches`` implements ``If-None-Match`` (304);
- ``content_disposition(key, inline=is_inline_safe(mimetype) and ...)`` and
  ``security_headers(mimetype, inline)`` on every file response.

References: RFC 9110 (ranges 14, conditionals 13, validators 8.8, dates 5.6.7), RFC 6266 and
RFC 8187 (Content-Disposition).
"""

from __future__ import annotations

import functools
import mimetypes
import re
import unicodedata
from datetime import UTC, datetime
from typing import Final, Literal
from urllib.parse import quote

__all__ = [
    "SECURITY_HEADERS",
    "content_disposition",
    "content_range",
    "etag_matches",
    "guess_mimetype",
    "http_date",
    "if_range_matches",
    "is_inline_safe",
    "parse_http_date",
    "parse_range",
    "security_headers",
    "unsatisfiable_range",
]

Unsatisfiable = Literal["unsatisfiable"]

# ---------------------------------------------------------------------------------------------
# Range (RFC 9110 section 14)

_DIGITS = re.compile(r"[0-9]+")


def parse_range(header: str | None, size: int) -> tuple[int, int] | Unsatisfiable | None:
    """The half-open byte range ``(start, end)`` a ``Range`` header asks for.

    ``None`` means "ignore the header and send the whole entity with 200": the header is
    absent, malformed, not in ``bytes``, asks for several ranges (the RFC lets a server ignore
    any Range), or is a suffix range of an empty entity (satisfiable by the RFC, but the empty
    selection cannot be written in a ``Content-Range``). ``"unsatisfiable"`` means 416.
    """
    if header is None:
        return None
    unit, sep, spec = header.partition("=")
    if not sep or unit.strip().lower() != "bytes":
        return None
    specs = [part.strip() for part in spec.split(",")]
    specs = [part for part in specs if part]  # RFC 9110 5.6.1: ignore empty list elements
    if len(specs) != 1:
        return None
    first, sep, last = (part.strip() for part in specs[0].partition("-"))
    if not sep:
        return None
    if not first:  # suffix range: the last N bytes
        if not _DIGITS.fullmatch(last):
            return None
        length = int(last)
        if length == 0:
            return "unsatisfiable"
        if size == 0:
            return None
        return (max(0, size - length), size)
    if not _DIGITS.fullmatch(first) or (last and not _DIGITS.fullmatch(last)):
        return None
    start = int(first)
    if last and int(last) < start:  # last-pos < first-pos: invalid, so the header is ignored
        return None
    end = int(last) + 1 if last else size
    if start >= size:
        return "unsatisfiable"
    return (start, min(end, size))


def content_range(start: int, end: int, size: int) -> str:
    """``Content-Range`` of a 206 for the half-open range ``[start, end)``."""
    if not 0 <= start < end <= size:
        raise ValueError(f"not a satisfiable range: [{start}, {end}) of {size}")
    return f"bytes {start}-{end - 1}/{size}"


def unsatisfiable_range(size: int) -> str:
    """``Content-Range`` of a 416."""
    return f"bytes */{size}"


# ---------------------------------------------------------------------------------------------
# Validators (RFC 9110 sections 8.8 and 13)

_ETAG = re.compile(r'\s*(W/)?("[\x21\x23-\x7e\x80-\xff]*")\s*')


def _split_etag(value: str) -> tuple[bool, str]:
    """``(weak, opaque-tag)``; a bare value (no quotes) is taken as a strong tag."""
    value = value.strip()
    weak = value.startswith("W/")
    if weak:
        value = value[2:]
    if not (len(value) >= 2 and value[0] == value[-1] == '"'):
        value = f'"{value}"'
    return weak, value


def _etag_list(header: str) -> list[tuple[bool, str]] | None:
    """The entity-tags of an ``If-None-Match``/``If-Match`` list, or None when malformed."""
    tags: list[tuple[bool, str]] = []
    pos = 0
    while pos < len(header):
        if header[pos] in " \t,":
            pos += 1
            continue
        match = _ETAG.match(header, pos)
        if not match:
            return None
        tags.append((match.group(1) is not None, match.group(2)))
        pos = match.end()
        if pos < len(header) and header[pos] != ",":
            return None
    return tags


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """True when ``If-None-Match`` matches ``etag`` (weak comparison), i.e. answer 304.

    ``*`` matches any current representation. A malformed header matches nothing, so the
    client simply gets the full response.
    """
    if if_none_match is None:
        return False
    if if_none_match.strip() == "*":
        return True
    tags = _etag_list(if_none_match)
    if not tags:
        return False
    _, ours = _split_etag(etag)
    return any(opaque == ours for _, opaque in tags)


def if_range_matches(if_range: str | None, etag: str, last_modified: datetime) -> bool:
    """True when the ``Range`` may be honoured (RFC 9110 13.1.5); absent header -> True.

    An entity-tag must match strongly (neither side weak); a date must equal
    ``last_modified`` to the second. Anything else -> False (send the whole entity).
    """
    if if_range is None:
        return True
    value = if_range.strip()
    if value.startswith(('"', "W/")):
        match = _ETAG.fullmatch(value)
        if not match or match.group(1):
            return False
        weak, ours = _split_etag(etag)
        return not weak and match.group(2) == ours
    date = parse_http_date(value)
    return date is not None and date == _utc(last_modified).replace(microsecond=0)


# ---------------------------------------------------------------------------------------------
# Dates (RFC 9110 section 5.6.7)

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_TIME = r"(\d{2}):(\d{2}):(\d{2})"
_IMF_FIXDATE = re.compile(rf"[A-Za-z]{{3}}, (\d{{2}}) ([A-Za-z]{{3}}) (\d{{4}}) {_TIME} GMT")
_RFC850 = re.compile(rf"[A-Za-z]{{6,9}}, (\d{{2}})-([A-Za-z]{{3}})-(\d{{2}}) {_TIME} GMT")
_ASCTIME = re.compile(rf"[A-Za-z]{{3}} ([A-Za-z]{{3}}) ([ \d]\d) {_TIME} (\d{{4}})")


def _utc(value: datetime) -> datetime:
    """Naive datetimes are taken as UTC (the database stores UTC)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def http_date(dt: datetime) -> str:
    """IMF-fixdate, e.g. ``Sun, 06 Nov 1994 08:49:37 GMT`` (independent of the locale)."""
    dt = _utc(dt)
    return (
        f"{_DAYS[dt.weekday()]}, {dt.day:02d} {_MONTHS[dt.month - 1]} {dt.year:04d} "
        f"{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d} GMT"
    )


def parse_http_date(value: str | None) -> datetime | None:
    """An aware UTC datetime from any of the three HTTP-date forms, or None."""
    if value is None:
        return None
    value = value.strip()
    if match := _IMF_FIXDATE.fullmatch(value):
        day, month, year, hh, mm, ss = match.groups()
    elif match := _RFC850.fullmatch(value):
        day, month, yy, hh, mm, ss = match.groups()
        # RFC 9110: a two-digit year more than 50 years ahead is in the previous century
        this_year = datetime.now(UTC).year
        year_int = this_year // 100 * 100 + int(yy)
        if year_int > this_year + 50:
            year_int -= 100
        year = str(year_int)
    elif match := _ASCTIME.fullmatch(value):
        month, day, hh, mm, ss, year = match.groups()
    else:
        return None
    try:
        month_index = [m.lower() for m in _MONTHS].index(month.lower()) + 1
        return datetime(int(year), month_index, int(day), int(hh), int(mm), int(ss), tzinfo=UTC)
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------
# Content-Disposition (RFC 6266, RFC 8187)

_RFC8187_SAFE = "!#$&+-.^_`|~"  # attr-char minus ALPHA / DIGIT, which quote() keeps anyway
_FALLBACK_UNSAFE = re.compile(r'[^\x20-\x7e]|["\\%]')


def _control_free(name: str) -> str:
    return "".join("_" if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in name)


def _ascii_fallback(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _FALLBACK_UNSAFE.sub("_", stripped)


def content_disposition(filename: str, inline: bool) -> str:
    """``inline|attachment; filename="<ASCII>"; filename*=UTF-8''<percent-encoded>``.

    Only the last ``/`` segment of a key is used. Control characters become ``_`` in both
    forms; the ASCII fallback for old clients also loses accents (é -> e) and replaces other
    non-ASCII characters, quotes, backslashes and ``%`` by ``_``.
    """
    name = _control_free(unicodedata.normalize("NFC", filename.rsplit("/", 1)[-1]))
    if not name.strip():
        name = "download"
    kind = "inline" if inline else "attachment"
    encoded = quote(name, safe=_RFC8187_SAFE, encoding="utf-8")
    return f"{kind}; filename=\"{_ascii_fallback(name)}\"; filename*=UTF-8''{encoded}"


# ---------------------------------------------------------------------------------------------
# Types and security headers

# Types a browser shows without running script. Everything else is sent as an attachment.
# image/svg+xml is absent on purpose (SVG runs script); so are HTML, XML and JavaScript.
_INLINE_SAFE: Final = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "image/avif",
        "image/bmp",
        "image/tiff",
        "application/pdf",
        "text/plain",
        "text/csv",
        "text/tab-separated-values",
        "application/json",
    }
)
_INLINE_SAFE_FAMILIES: Final = ("audio/", "video/")


def _essence(mimetype: str) -> str:
    """``type/subtype`` in lower case, parameters dropped."""
    return mimetype.split(";", 1)[0].strip().lower()


def is_inline_safe(mimetype: str) -> bool:
    """True only for types a browser renders without running script (an allow-list)."""
    essence = _essence(mimetype)
    if essence.endswith(("+xml", "+html")):
        return False
    return essence in _INLINE_SAFE or essence.startswith(_INLINE_SAFE_FAMILIES)


SECURITY_HEADERS: Final[dict[str, str]] = {
    # never let a browser second-guess the declared type (e.g. sniff HTML in a .txt)
    "X-Content-Type-Options": "nosniff",
    # even a file rendered by mistake runs no script, loads nothing and gets an opaque origin;
    # 'unsafe-inline' styles only let browsers style their own image/video/text pages
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
}

# Chromium (and Safari for PDFs with forms or scripts) refuse to start their PDF viewer in a
# sandboxed document ("This page has been blocked"), and Chromium's viewer page also needs
# its own styles and embed. A PDF shown inline therefore gets nosniff only: served as
# application/pdf it can never be parsed as HTML, and viewer scripting runs isolated from
# the site's origin.
_PDF_INLINE_HEADERS: Final[dict[str, str]] = {"X-Content-Type-Options": "nosniff"}


def security_headers(mimetype: str, inline: bool) -> dict[str, str]:
    """Headers for a file response: :data:`SECURITY_HEADERS` except for inline PDFs."""
    if inline and _essence(mimetype) == "application/pdf":
        return dict(_PDF_INLINE_HEADERS)
    return dict(SECURITY_HEADERS)


# Additions to (and overrides of) the standard library's table, which lacks common research
# formats. Compressed files keep their own type: ``data.csv.gz`` is application/gzip, never
# text/csv with a Content-Encoding (a browser would then unpack it silently).
_EXTRA_TYPES: Final[dict[str, str]] = {
    ".csv": "text/csv",
    ".tsv": "text/tab-separated-values",
    ".tab": "text/tab-separated-values",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".txt": "text/plain",
    ".json": "application/json",
    ".jsonld": "application/ld+json",
    ".geojson": "application/geo+json",
    ".ipynb": "application/x-ipynb+json",
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".rdf": "application/rdf+xml",
    ".bib": "application/x-bibtex",
    ".nc": "application/x-netcdf",
    ".nc4": "application/x-netcdf",
    ".cdf": "application/x-netcdf",
    ".h5": "application/x-hdf5",
    ".hdf5": "application/x-hdf5",
    ".he5": "application/x-hdf5",
    ".parquet": "application/vnd.apache.parquet",
    ".fits": "application/fits",
    ".fit": "application/fits",
    ".fts": "application/fits",
    ".dcm": "application/dicom",
    ".zip": "application/zip",
    ".gz": "application/gzip",
    ".tgz": "application/gzip",
    ".bz2": "application/x-bzip2",
    ".xz": "application/x-xz",
    ".zst": "application/zstd",
    ".7z": "application/x-7z-compressed",
    ".tar": "application/x-tar",
    ".rar": "application/vnd.rar",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".svg": "image/svg+xml",
    ".flac": "audio/flac",
    ".opus": "audio/ogg",
    ".mkv": "video/x-matroska",
    ".webm": "video/webm",
}
DEFAULT_MIMETYPE: Final = "application/octet-stream"


@functools.cache
def _stdlib_types() -> mimetypes.MimeTypes:
    # a private table of the standard library's defaults only: deterministic on every host,
    # unlike mimetypes.guess_type(), which also reads the host's /etc/mime.types
    return mimetypes.MimeTypes()


def guess_mimetype(key: str) -> str:
    """The media type of a key from its extension (case-insensitive), else octet-stream."""
    name = key.rsplit("/", 1)[-1]
    dot = name.rfind(".")
    if dot <= 0:  # no extension, or a bare dot file such as ".bashrc"
        return DEFAULT_MIMETYPE
    ext = name[dot:].lower()
    if ext in _EXTRA_TYPES:
        return _EXTRA_TYPES[ext]
    table = _stdlib_types().types_map
    return table[True].get(ext) or table[False].get(ext) or DEFAULT_MIMETYPE
