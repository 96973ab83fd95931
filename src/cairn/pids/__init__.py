"""DOI providers: a small protocol and its implementations (``local``, ``datacite``).

Providers only move bytes to a registry: the DataCite XML is built by the records layer
(:mod:`cairn.records.pids`) and handed over ready-made.
"""

from cairn.pids.base import DoiProvider, PermanentError, PidError, RetriableError
from cairn.pids.datacite import DataCiteProvider
from cairn.pids.local import LocalProvider

__all__ = [
    "DataCiteProvider",
    "DoiProvider",
    "LocalProvider",
    "PermanentError",
    "PidError",
    "RetriableError",
]
