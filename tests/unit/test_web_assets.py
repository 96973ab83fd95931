"""The UI's budget and rules for static assets."""

from __future__ import annotations

import re
from pathlib import Path

from cairn.web.templating import STATIC_DIR

BUDGET = 150 * 1024  # all JS and CSS together, uncompressed (issue: <= 150 KB)
TEMPLATES = STATIC_DIR.parent / "templates"


def _assets(*suffixes: str) -> list[Path]:
    return [p for p in STATIC_DIR.rglob("*") if p.is_file() and p.suffix in suffixes]


def test_all_javascript_and_css_fit_the_budget() -> None:
    total = sum(p.stat().st_size for p in _assets(".js", ".css"))
    assert 0 < total <= BUDGET, f"JS+CSS is {total} bytes, budget {BUDGET}"


def test_no_asset_comes_from_another_site() -> None:
    """The site works offline: templates, scripts and styles load nothing from a CDN."""
    pattern = re.compile(
        r"""(src|href)\s*=\s*["']https?://|@import\s+url\(["']?https?://|from\s+["']https?://"""
    )
    for path in [*_assets(".js", ".css"), *TEMPLATES.rglob("*.html")]:
        text = path.read_text(encoding="utf-8")
        assert not pattern.search(text), f"{path.name} loads something from another site"


def test_templates_have_no_inline_script_or_style() -> None:
    """The Content-Security-Policy forbids inline code: it would simply not run."""
    data_block = r'type="application/(ld\+)?json"'  # data, never executed
    inline_script = re.compile(rf"<script(?![^>]*\b(src|{data_block}))[^>]*>", re.I)
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not inline_script.search(text), f"inline <script> in {path.name}"
        assert not re.search(r"\sstyle\s*=", text, re.I), f"style attribute in {path.name}"
        assert not re.search(r"\son[a-z]+\s*=", text, re.I), f"inline handler in {path.name}"
