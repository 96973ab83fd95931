"""Domain errors.  Services raise these; only the delivery layer maps them to HTTP."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldError:
    """A validation problem located by a dotted path such as ``metadata.creators.0.name``."""

    field: str
    messages: list[str]

    def to_dict(self) -> dict[str, object]:
        return {"field": self.field, "messages": list(self.messages)}


class CairnError(Exception):
    """Base class of every error a service may raise on purpose."""

    message = "An error occurred."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message


class NotFound(CairnError):
    message = "The persistent identifier does not exist."


class PermissionDenied(CairnError):
    message = "Permission denied."


class ValidationFailed(CairnError):
    """Input is well-formed but not acceptable; ``errors`` names each field."""

    message = "A validation error occurred."

    def __init__(self, errors: list[FieldError], message: str | None = None) -> None:
        super().__init__(message)
        self.errors = errors


class InvalidRequest(CairnError):
    """A request the service cannot act on (bad parameter, wrong state)."""

    message = "Invalid request."


class Conflict(CairnError):
    """The action clashes with the current state (e.g. a draft was published meanwhile)."""

    message = "The resource was changed by another request; reload it and try again."


class RevisionMismatch(CairnError):
    message = "The resource has been modified since you read it (revision mismatch)."


class Gone(CairnError):
    """The object existed and was deleted; ``tombstone`` tells why when it may be shown."""

    message = "Record deleted"

    def __init__(self, tombstone: dict[str, object] | None = None) -> None:
        super().__init__()
        self.tombstone = tombstone


@dataclass
class Redirect(CairnError):
    """The object lives under another id (e.g. ``versions/latest``)."""

    target_id: str
    kind: str = field(default="record")

    def __post_init__(self) -> None:
        super().__init__("Moved.")
