"""What the records service hands back to the delivery layer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cairn.core.errors import FieldError
from cairn.records.params import SearchParams


@dataclass(frozen=True)
class Item:
    """One draft or record in API shape (``links`` are added by the delivery layer)."""

    data: dict[str, Any]
    is_draft: bool
    errors: list[FieldError] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def revision_id(self) -> int:
        return int(self.data["revision_id"])


@dataclass(frozen=True)
class ItemList:
    """One page of a search: the items, the total, facet counts in InvenioRDM's shape
    (``{name: {"buckets": [...], "label": ...}}``) and the token of the next page."""

    items: list[Item]
    total: int
    params: SearchParams
    aggregations: dict[str, Any] = field(default_factory=dict)
    next_cursor: str | None = None

    @property
    def has_next(self) -> bool:
        if self.params.cursor is not None:
            return self.next_cursor is not None
        return self.params.page * self.params.size < self.total
