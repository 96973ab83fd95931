"""Helpers shared by the XML formats (DataCite, Dublin Core, MARCXML, DCAT-AP): vocabulary
props, ISO 639-3 -> BCP 47, EDTF -> DataCite/RKMS dates, description HTML -> plain text,
ROR ids. Pure functions; the vocabularies are read once, on first use.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache
from typing import Any

import lxml.html
import pycountry
from edtf import parse_edtf
from lxml import etree

from cairn.vocabularies.loader import read_data_file

# vocabulary type -> its data file, shipped with cairn.vocabularies
VOCABULARY_FILES = {
    "contributorsroles": "roles.json",
    "datetypes": "datetypes.json",
    "descriptiontypes": "descriptiontypes.json",
    "licenses": "licenses.json",
    "relationtypes": "relationtypes.json",
    "resourcetypes": "resourcetypes.json",
    "titletypes": "titletypes.json",
}


@cache
def _vocabulary(vtype: str) -> dict[str, dict[str, Any]]:
    """One shipped vocabulary by id, read once on first use."""
    return {item["id"]: item for item in read_data_file(VOCABULARY_FILES[vtype])}


def prop(vtype: str, vid: Any, key: str) -> str:
    """A vocabulary item's ``props[key]`` (``title``: its English title); "" when unknown."""
    item = _vocabulary(vtype).get(vid) if isinstance(vid, str) else None
    if item is None:
        return ""
    return english(item["title"]) if key == "title" else str(item.get("props", {}).get(key) or "")


def english(title: Any) -> str:
    """The English text of a title map (else its first text); a plain string as is."""
    if isinstance(title, str):
        return title
    if isinstance(title, dict) and title:
        return str(title.get("en") or next(iter(title.values())) or "")
    return ""


@cache
def _alpha2() -> dict[str, str]:
    return {lang.alpha_3: getattr(lang, "alpha_2", lang.alpha_3) for lang in pycountry.languages}


def bcp47(code: Any) -> str | None:
    """ISO 639-3 -> the IETF BCP 47 tag (ISO 639-1 where there is one: ``eng`` -> ``en``,
    ``gsw`` stays); None for a code ISO 639 does not know."""
    if not isinstance(code, str):
        return None
    code = code.strip().lower()
    if len(code) == 2 and code.isalpha():
        return code
    return _alpha2().get(code)


def is_url(value: str) -> bool:
    return value.startswith(("https://", "http://"))


_ROR = re.compile(r"^(?:https?://ror\.org/)?(0[a-hj-km-np-tv-z0-9]{6}[0-9]{2})$")


def ror_url(value: str) -> str | None:
    """``https://ror.org/<id>`` for a ROR id or URL, else None."""
    found = _ROR.match(value.strip().lower()) if value else None
    return f"https://ror.org/{found.group(1)}" if found else None


_PLAIN_DATE = re.compile(
    r"^-?\d{4}(-(0[1-9]|1[0-2])(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?$"
)


def _edtf_side(value: str) -> str:
    value = value.strip()
    if value in ("", "..", "unknown", "open"):
        return ""
    if _PLAIN_DATE.match(value):
        return value
    bare = value.replace("?", "").replace("~", "").replace("%", "")
    if _PLAIN_DATE.match(bare):
        return bare
    try:  # unspecified digits, seasons ...: the range they stand for
        parsed = parse_edtf(bare)
        low, high = parsed.lower_strict(), parsed.upper_strict()
    except Exception:  # the edtf library raises assorted errors
        return value
    lo, hi = (
        f"{low.tm_year:04d}-{low.tm_mon:02d}-{low.tm_mday:02d}",
        f"{high.tm_year:04d}-{high.tm_mon:02d}-{high.tm_mday:02d}",
    )
    if lo.endswith("-01-01") and hi.endswith("-12-31"):
        lo, hi = lo[:4], hi[:4]
    elif lo.endswith("-01") and high.tm_mday >= 28 and low.tm_mday == 1:
        lo, hi = lo[:7], hi[:7]
    return lo if lo == hi else f"{lo}/{hi}"


def rkms_date(value: str) -> str:
    """An EDTF date or interval as DataCite wants it (W3CDTF, ranges in RKMS-ISO8601
    ``start/end``, open ends left empty); qualifiers (``?``, ``~``) are dropped and
    unspecified digits (``201X``) become the range they stand for."""
    if _PLAIN_DATE.match(value):
        return value
    if "/" in value:
        start, _, end = value.partition("/")
        return f"{_edtf_side(start)}/{_edtf_side(end)}"
    return _edtf_side(value)


def publication_year(date: Any, created: Any) -> str:
    """The (first) year of an EDTF publication date; else the year the record was made."""
    for value in (date, created):
        if isinstance(value, str) and re.match(r"^\d{4}", value):
            return value[:4]
    return str(datetime.now(UTC).year)


_BLOCKS = {
    "p",
    "div",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "table",
    "ul",
    "ol",
    "hr",
}


def html_to_text(value: str) -> str:
    """Sanitised description HTML as plain text: tags dropped, entities decoded, a line
    break after each block and ``<br>``."""
    if "<" not in value and "&" not in value:
        return value.strip()
    try:
        root = lxml.html.fragment_fromstring(value, create_parent="div")
    except etree.ParserError:
        return value.strip()
    for node in root.iter():
        if isinstance(node.tag, str) and (node.tag == "br" or node.tag in _BLOCKS):
            node.tail = "\n" + (node.tail or "")
    lines = [" ".join(line.split()) for line in root.text_content().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def number_text(value: float) -> str:
    return repr(float(value))


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(value: str) -> str:
    """Text without the characters XML 1.0 cannot carry."""
    return _XML_BAD.sub("", value)
