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
    items: list[Item]
    total: int
    params: SearchParams

    @property
    def has_next(self) -> bool:
        return self.params.page * self.params.size < self.total
