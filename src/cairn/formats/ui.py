"""The ``ui`` block of ``application/vnd.inveniordm.v1+json``: display-ready values.

English labels only for now; localisation arrives with the web UI.
"""

from __future__ import annotations

import calendar
import html
import re
from datetime import datetime
from typing import Any

ACCESS_STATUS = {
    "open": ("Open", "The record and files are publicly accessible.", "unlock", ""),
    "embargoed": (
        "Embargoed",
        "The files will be made publicly available on {date}.",
        "outline clock",
        "warning",
    ),
    "restricted": (
        "Restricted",
        "The record is publicly accessible, but files are restricted to users with access.",
        "ban",
        "negative",
    ),
    "metadata-only": ("Metadata-only", "No files are available for this record.", "tag", ""),
}
EN_DASH = "\u2013"
_TAGS = re.compile(r"<[^>]+>")


def _date_part(value: str, style: str) -> str:
    pieces = value.split("-")
    try:
        year = int(pieces[0])
        if len(pieces) == 1:
            return str(year)
        month = int(pieces[1])
        names = calendar.month_name if style == "long" else calendar.month_abbr
        if len(pieces) == 2:
            return f"{names[month]} {year}"
        return f"{names[month]} {int(pieces[2])}, {year}"
    except (ValueError, IndexError):
        return value


def format_edtf(value: str | None, style: str = "long") -> str | None:
    """Human form of an EDTF date or interval (``2018/2020-09`` -> ``2018 - September 2020``)."""
    if not value:
        return None
    if "/" in value:
        start, _, end = value.partition("/")
        return f"{_date_part(start, style)} {EN_DASH} {_date_part(end, style)}"
    return _date_part(value, style)


def format_timestamp(value: str | None) -> str | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return f"{calendar.month_name[moment.month]} {moment.day}, {moment.year}"


def _title(ref: Any) -> str | None:
    if isinstance(ref, dict):
        title = ref.get("title")
        if isinstance(title, dict):
            return title.get("en") or next(iter(title.values()), None)
        if isinstance(title, str):
            return title
    return None


def _people(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """Creators with affiliation numbers, and the numbered affiliation list."""
    affiliations: list[list[Any]] = []
    index: dict[tuple[str, str], int] = {}
    people = []
    for entry in entries:
        person = dict(entry)
        numbers = []
        for aff in entry.get("affiliations") or []:
            name = aff.get("name") or _title(aff) or aff.get("id", "")
            key = (str(aff.get("id", "")), str(name))
            if key not in index:
                index[key] = len(affiliations) + 1
                affiliations.append([index[key], name, aff.get("id")])
            numbers.append([index[key], name])
        person["affiliations"] = numbers
        people.append(person)
    return {"creators": people, "affiliations": affiliations}


def add_ui(item: dict[str, Any]) -> dict[str, Any]:
    metadata = item.get("metadata") or {}
    access = item.get("access") or {}
    status = access.get("status", "open")
    title, description, icon, css = ACCESS_STATUS.get(status, ACCESS_STATUS["open"])
    embargo_until = (access.get("embargo") or {}).get("until")
    ui: dict[str, Any] = {
        "access_status": {
            "id": status,
            "title_l10n": title,
            "description_l10n": description.format(date=embargo_until or ""),
            "icon": icon,
            "embargo_date_l10n": format_edtf(embargo_until) if embargo_until else None,
            "message_class": css,
        },
        "created_date_l10n_long": format_timestamp(item.get("created")),
        "updated_date_l10n_long": format_timestamp(item.get("updated")),
        "publication_date_l10n_long": format_edtf(metadata.get("publication_date"), "long"),
        "publication_date_l10n_medium": format_edtf(metadata.get("publication_date"), "medium"),
        "is_draft": bool(item.get("is_draft")),
        "version": metadata.get("version") or f"v{(item.get('versions') or {}).get('index', 1)}",
    }
    if metadata.get("resource_type"):
        rt = metadata["resource_type"]
        ui["resource_type"] = {"id": rt.get("id"), "title_l10n": _title(rt)}
    if metadata.get("creators"):
        ui["creators"] = _people(metadata["creators"])
    if metadata.get("contributors"):
        ui["contributors"] = _people(metadata["contributors"])
    if metadata.get("languages"):
        ui["languages"] = [
            {"id": lang.get("id"), "title_l10n": _title(lang)} for lang in metadata["languages"]
        ]
    if metadata.get("rights"):
        ui["rights"] = [{**right, "title_l10n": _title(right)} for right in metadata["rights"]]
    if metadata.get("description"):
        ui["description_stripped"] = html.unescape(_TAGS.sub(" ", metadata["description"])).strip()
    return {**item, "ui": ui}
