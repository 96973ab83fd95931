"""Formatted citations of InvenioRDM's own example records (``shared/data/rdm-examples``)
in each of InvenioRDM's six CSL styles, through the format registry."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cairn.formats import default_registry
from cairn.formats.citation import STYLES
from tests.conftest import SHARED_DATA

EXAMPLES = SHARED_DATA / "rdm-examples"
# the records in InvenioRDM's native API shape (the zenodo_* files are Zenodo's legacy JSON)
NATIVE = (
    "invenio-rdm-records_full-record.json",
    "rogue-scholar_pevm6-kx104_inveniordm-api.json",
    "rogue-scholar_apt10-14q04_inveniordm-api.json",
)
CITATION = default_registry().by_name("citation")


def example(name: str) -> dict[str, Any]:
    record: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    record.setdefault("id", "12345-abcde")
    record.setdefault("links", {"self_html": f"https://cairn.test/records/{record['id']}"})
    return record


def citation(record: dict[str, Any], **params: str) -> str:
    assert CITATION is not None
    return CITATION.serialize(record, params=params).decode()


def folded(text: str) -> str:
    return " ".join(text.replace("\u201c", '"').replace("\u201d", '"').split()).casefold()


def test_apa_exact() -> None:
    record = example("rogue-scholar_apt10-14q04_inveniordm-api.json")
    assert (
        citation(record)
        == citation(record, style="apa")
        == (
            "Salmon, M., & Bellini Saibene, Y. (2025). Recognition Beyond Blog Post Authors. "
            "In S. LaZerte (ed.), rOpenSci - open tools for open science (Version v1). "
            "Front Matter. https://doi.org/10.59350/510pg-zzf58"
        )
    )


@pytest.mark.parametrize("style", list(STYLES))
@pytest.mark.parametrize("name", NATIVE)
def test_every_style_names_the_work(name: str, style: str) -> None:
    record = example(name)
    metadata = record["metadata"]
    text = citation(record, style=style)
    assert "\n" not in text and text == text.strip()
    for creator in metadata["creators"]:
        assert creator["person_or_org"]["family_name"] in text
    assert metadata["publication_date"][:4] in text
    assert folded(metadata["title"]) in folded(text)
    assert record["pids"]["doi"]["identifier"] in text
    assert not text.startswith(("[1]", "1."))


def test_styles_differ_and_locale_applies() -> None:
    record = example("rogue-scholar_pevm6-kx104_inveniordm-api.json")
    texts = {style: citation(record, style=style) for style in STYLES}
    assert len(set(texts.values())) == len(STYLES)
    assert "27 Sept. 2025" in texts["modern-language-association"]
    german = citation(record, style="modern-language-association", locale="de-DE")
    assert "27 Sept. 2025" not in german and "2025" in german
