"""ASGI entry point for servers: ``uvicorn cairn.asgi:app`` (settings from the environment)."""

from __future__ import annotations

from cairn.app import create_app
from cairn.malloc import limit_malloc_arenas
from cairn.settings import ensure_instance, load_settings

limit_malloc_arenas()
app = create_app(ensure_instance(load_settings()))
