"""The plain-text citation of a record on its landing page (more styles arrive later)."""

from __future__ import annotations

from typing import Any


def _initials(given: str) -> str:
    """``"Troy Alan"`` -> ``"T. A."``; hyphenated names keep the hyphen (``"J.-P."``)."""
    parts = []
    for word in given.split():
        pieces = [p for p in word.split("-") if p]
        if pieces:
            parts.append("-".join(f"{p[0]}." for p in pieces))
    return " ".join(parts)


def creator_name(creator: Any) -> str:
    """``Family, G.`` for a person, the name for an organisation."""
    who = creator.get("person_or_org") if isinstance(creator, dict) else None
    who = who if isinstance(who, dict) else {}
    if who.get("type") == "personal" and who.get("family_name"):
        initials = _initials(str(who.get("given_name") or ""))
        return f"{who['family_name']}, {initials}" if initials else str(who["family_name"])
    return str(who.get("name") or "").strip()


def _join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    if len(names) > 20:  # as APA: the first 19, an ellipsis, the last
        return ", ".join(names[:19]) + ", … " + names[-1]
    return ", ".join(names[:-1]) + ", & " + names[-1]


def _end(text: str) -> str:
    """``text`` ending with a full stop (not doubled)."""
    return text if text.endswith((".", "?", "!")) else text + "."


def plain_citation(metadata: dict[str, Any], pids: dict[str, Any], url: str) -> str:
    """``Creators (Year). Title (Version). Publisher. DOI-or-URL``.

    Parts the record lacks are left out; the year is the first of the publication date
    (an EDTF date or interval); a DOI is given as its https://doi.org/ URL.
    """
    names = [n for n in (creator_name(c) for c in metadata.get("creators") or []) if n]
    year = str(metadata.get("publication_date") or "")[:4]
    head = _join(names)
    if year.isdigit():
        head = f"{head} ({year})" if head else f"({year})"
    parts = [_end(head)] if head else []
    title = str(metadata.get("title") or "").strip()
    version = str(metadata.get("version") or "").strip()
    if title:
        parts.append(_end(f"{title} ({version})" if version else title))
    publisher = str(metadata.get("publisher") or "").strip()
    if publisher:
        parts.append(_end(publisher))
    doi = ((pids or {}).get("doi") or {}).get("identifier")
    parts.append(f"https://doi.org/{doi}" if doi else url)
    return " ".join(parts)
