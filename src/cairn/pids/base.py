"""The DOI provider protocol and its errors."""

from __future__ import annotations

from typing import Protocol


class PidError(Exception):
    """A registry refused or could not take a request; the message says why."""


class RetriableError(PidError):
    """The registry could not be reached or was unavailable (network error, timeout, 5xx,
    429): the same request may succeed later."""


class PermanentError(PidError):
    """The registry refused the request (bad credentials, invalid metadata, unknown DOI):
    sending it again unchanged will fail again."""


class DoiProvider(Protocol):
    """A DOI registry. ``remote`` is False for providers that keep nothing outside Cairn
    (their DOIs count as registered at once)."""

    name: str
    remote: bool

    def reserve(self, doi: str) -> None:
        """Create ``doi`` at the registry as a draft (not resolvable, not public)."""
        ...

    def register(self, doi: str, url: str, xml: bytes) -> None:
        """Create or update ``doi`` with its landing page ``url`` and metadata ``xml``
        (DataCite kernel-4 XML) and make it findable."""
        ...

    def update(self, doi: str, url: str, xml: bytes) -> None:
        """Send new metadata and URL for an existing DOI without changing its state."""
        ...

    def hide(self, doi: str) -> None:
        """Make a findable DOI registered-but-not-findable (it still resolves)."""
        ...
