"""Process-wide allocator settings for the server process."""

from __future__ import annotations

import ctypes
import ctypes.util
import os

M_ARENA_MAX = -8  # glibc's mallopt parameter


def limit_malloc_arenas(arenas: int = 2) -> bool:
    """Keep glibc from giving every thread its own malloc arena.

    The server's threads (the request pool, the indexer, Tantivy's writer, merge and facet
    threads) each got an arena that keeps what was freed: measured after 5,000 publishes, the
    process held 334 MB instead of 178 MB. ``MALLOC_ARENA_MAX`` in the environment wins.
    Returns whether the limit was set (not on other C libraries).
    """
    if "MALLOC_ARENA_MAX" in os.environ:
        return False
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        return bool(libc.mallopt(M_ARENA_MAX, arenas))
    except (OSError, AttributeError):  # not glibc
        return False
