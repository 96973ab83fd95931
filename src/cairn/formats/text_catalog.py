"""The citation, JSON-LD, GeoJSON, CSV, CodeMeta and CFF formats (media types as
InvenioRDM's where it has one; see docs/api.md)."""

from __future__ import annotations

from typing import Any

from cairn.formats import tabular
from cairn.formats.bibtex import bibtex_item, bibtex_listing
from cairn.formats.cff import cff_item
from cairn.formats.citation import citation_item, citation_listing
from cairn.formats.codemeta import to_codemeta
from cairn.formats.csl import csl_listing, to_csl
from cairn.formats.geojson import geojson_listing, to_geojson
from cairn.formats.jsonld import jsonld_listing, to_jsonld
from cairn.formats.registry import Format, Params, dumps_json, json_format

CSL_MEDIA = "application/vnd.citationstyles.csl+json"
CITATION_MEDIA = "text/x-bibliography"
JSONLD_MEDIA = "application/ld+json"
GEOJSON_MEDIA = "application/vnd.geo+json"
BIBTEX_MEDIA = "application/x-bibtex"
CSV_MEDIA = "text/csv"
CSV_FULL_MEDIA = "application/vnd.inveniordm.v1.full+csv"
CSV_SIMPLE_MEDIA = "application/vnd.inveniordm.v1.simple+csv"
CODEMETA_MEDIA = "application/vnd.codemeta.ld+json"
CFF_MEDIA = "application/vnd.cff+yaml"


def _json(item: Any, listing: Any) -> tuple[Any, Any]:
    """Writers of a JSON format whose list form is not the search envelope."""

    def write_item(record: dict[str, Any], params: Params) -> bytes:
        return dumps_json(item(record), params)

    def write_listing(envelope: dict[str, Any], params: Params) -> bytes:
        return dumps_json(listing(envelope), params)

    return write_item, write_listing


FORMATS: tuple[Format, ...] = (
    Format("json-ld", JSONLD_MEDIA, *_json(to_jsonld, jsonld_listing), "JSON-LD (schema.org)"),
    Format("csl", CSL_MEDIA, *_json(to_csl, csl_listing), "CSL JSON"),
    Format("citation", CITATION_MEDIA, citation_item, citation_listing, "Citation", "txt"),
    Format("bibtex", BIBTEX_MEDIA, bibtex_item, bibtex_listing, "BibTeX", "bib"),
    Format("geojson", GEOJSON_MEDIA, *_json(to_geojson, geojson_listing), "GeoJSON", "geojson"),
    Format("csv", CSV_MEDIA, *tabular.FULL, "CSV", "csv"),
    Format("csv-full", CSV_FULL_MEDIA, *tabular.FULL, "CSV (all fields)", "csv"),
    Format("csv-simple", CSV_SIMPLE_MEDIA, *tabular.SIMPLE, "CSV (main fields)", "csv"),
    json_format("codemeta", CODEMETA_MEDIA, to_codemeta, "CodeMeta", lists=False),
    Format("cff", CFF_MEDIA, cff_item, None, "Citation File Format", "cff"),
)
