"""The deposit form: new upload, edit a draft, publish."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
