"""Rendering pages: Jinja2 with autoescaping, instance templates first, theme from settings."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import nh3
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from cairn.http.context import identity
from cairn.http.sessions import csrf_token
from cairn.settings import Settings

STATIC_DIR = Path(__file__).parent / "static"
FOOTER_TAGS = {"a", "p", "br", "strong", "em", "span", "ul", "li", "small"}


@dataclass(frozen=True)
class Site:
    """What every page shows of the instance: name, logo, footer, colours."""

    name: str
    logo: str
    footer: Markup
    primary: str
    accent: str
    url: str
    registration: bool

    @classmethod
    def from_settings(cls, settings: Settings) -> Site:
        logo = settings.site_logo
        if logo and not logo.startswith(("http://", "https://", "/")):
            logo = f"/static/site/{logo}"
        footer = Markup(nh3.clean(settings.site_footer, tags=FOOTER_TAGS))
        return cls(
            name=settings.site_name,
            logo=logo,
            footer=footer,
            primary=settings.theme_primary_color,
            accent=settings.theme_accent_color,
            url=settings.base_url,
            registration=settings.registration,
        )

    def theme_css(self) -> str:
        return f":root {{ --primary: {self.primary}; --accent: {self.accent}; }}\n"


def static_version() -> str:
    """A short hash of every static asset: a new release changes asset URLs, so browsers
    may cache them for a long time."""
    digest = hashlib.sha256()
    for path in sorted(STATIC_DIR.rglob("*")):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def _filesize(size: Any) -> str:
    try:
        value = float(size)
    except (TypeError, ValueError):
        return ""
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    return ""


def _date(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    text = str(value or "")
    return text[:10]


class LazyCsrfToken:
    """The browser's CSRF token, made (and its session cookie set) only when a page prints
    it: a visitor who only reads pages gets no cookie at all."""

    def __init__(self, request: Request) -> None:
        self.request = request

    def __str__(self) -> str:
        return csrf_token(self.request)

    def __html__(self) -> str:
        return str(escape(csrf_token(self.request)))


class Pages:
    """The template environment of one app."""

    def __init__(self, settings: Settings) -> None:
        self.site = Site.from_settings(settings)
        self.version = static_version()
        loader = ChoiceLoader(
            [
                FileSystemLoader(str(settings.instance / "templates")),
                PackageLoader("cairn.web", "templates"),
            ]
        )
        self.env = Environment(
            loader=loader,
            autoescape=select_autoescape(["html", "xml"], default=True),
            trim_blocks=True,
            lstrip_blocks=True,
            extensions=["jinja2.ext.do"],
        )
        self.env.globals.update(site=self.site, static=self.static)
        self.env.filters.update(filesize=_filesize, date=_date)

    def static(self, path: str) -> str:
        return f"/static/{path}?v={self.version}"

    def render(
        self,
        request: Request,
        name: str,
        context: Mapping[str, Any] | None = None,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> HTMLResponse:
        values = {
            "request": request,
            "user": identity(request),
            "csrf_token": LazyCsrfToken(request),
            **(context or {}),
        }
        html = self.env.get_template(name).render(values)
        return HTMLResponse(html, status_code=status_code, headers=dict(headers or {}))
