"""The ``local`` provider: DOIs minted under the instance's prefix with no registry.

For instances without a DataCite account (tests, demos, prefixes registered by hand):
nothing leaves Cairn, so every call succeeds and a DOI counts as registered at once.
"""

from __future__ import annotations


class LocalProvider:
    name = "local"
    remote = False

    def reserve(self, doi: str) -> None:
        """Nothing to tell anyone: the DOI exists only in Cairn's database."""

    def register(self, doi: str, url: str, xml: bytes) -> None:
        """Nothing to send."""

    def update(self, doi: str, url: str, xml: bytes) -> None:
        """Nothing to send."""

    def hide(self, doi: str) -> None:
        """Nothing to send."""
