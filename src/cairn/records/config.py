"""The part of the settings the records service needs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RecordsConfig:
    oai_prefix: str = "localhost"
    doi_prefix: str = ""
    default_page_size: int = 25
    max_page_size: int = 1000
