"""Walking the app's routes, including those of included routers."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from starlette.routing import BaseRoute


def walk_routes(routes: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    """Every concrete route; FastAPI keeps included routers as nested route objects
    (they are included without an extra prefix, so their paths are complete)."""
    for route in routes:
        nested = getattr(route, "original_router", None) or getattr(route, "router", None)
        if nested is not None and hasattr(nested, "routes") and not hasattr(route, "path"):
            yield from walk_routes(nested.routes)
        else:
            yield route
