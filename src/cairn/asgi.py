"""ASGI entry point for servers: ``uvicorn cairn.asgi:app`` (settings from the environment)."""

from __future__ import annotations

from cairn.app import create_app
from cairn.settings import ensure_instance, load_settings

app = create_app(ensure_instance(load_settings()))
