import ctypes.util

from cairn.malloc import limit_malloc_arenas


def test_arenas_are_limited_on_glibc_unless_the_environment_says(monkeypatch):
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert limit_malloc_arenas() is False  # the operator's setting wins
    monkeypatch.delenv("MALLOC_ARENA_MAX")
    expected = ctypes.util.find_library("c") is not None
    assert limit_malloc_arenas() is expected
