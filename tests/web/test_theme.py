"""Theming from settings and template overrides from the instance folder."""

from __future__ import annotations

from pathlib import Path

import requests

from cairn.db import Database
from tests.conftest import serve


def test_name_logo_colours_and_footer_come_from_settings(tmp_path: Path, db: Database) -> None:
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    served = serve(
        tmp_path,
        db,
        site_name="Example Data",
        site_logo="logo.svg",
        theme_primary_color="#123456",
        theme_accent_color="#ABCDEF",
        site_footer='<a href="/terms">Terms</a> <script>alert(1)</script><b onclick="x()">b</b>',
    )
    try:
        html = requests.get(f"{served.base}/login", timeout=10).text
        assert "<title>Log in · Example Data</title>" in html
        assert 'src="/static/site/logo.svg"' in html
        assert '<a href="/terms"' in html and "Terms</a>" in html
        assert "<script>alert" not in html and "onclick" not in html
        logo = requests.get(f"{served.base}/static/site/logo.svg", timeout=10)
        assert logo.status_code == 200 and logo.text.startswith("<svg")
        theme = requests.get(f"{served.base}/static/theme.css", timeout=10)
        assert "--primary: #123456" in theme.text and "--accent: #abcdef" in theme.text
        assert theme.headers["content-type"].startswith("text/css")
        missing = requests.get(f"{served.base}/static/site/nothing.png", timeout=10)
        assert missing.status_code == 404
    finally:
        served.stop()


def test_instance_templates_override_the_built_in_ones(tmp_path: Path, db: Database) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "login.html").write_text(
        '{% extends "base.html" %}{% block content %}<h1>Our own login, {{ site.name }}'
        "</h1>{% endblock %}"
    )
    served = serve(tmp_path, db, site_name="<Lab & Co>")
    try:
        html = requests.get(f"{served.base}/login", timeout=10).text
        assert "<h1>Our own login, &lt;Lab &amp; Co&gt;</h1>" in html  # still autoescaped
        signup = requests.get(f"{served.base}/signup", timeout=10).text
        assert "Create account" in signup  # the others stay built in
    finally:
        served.stop()


def test_static_assets_are_served_with_a_version(live_server: str) -> None:
    html = requests.get(f"{live_server}/login", timeout=10).text
    assert "/static/css/cairn.css?v=" in html
    css = requests.get(f"{live_server}/static/css/cairn.css?v=1", timeout=10)
    assert css.status_code == 200 and "--primary" in css.text
    assert "max-age=31536000" in css.headers["cache-control"]
    module = requests.get(f"{live_server}/static/js/api.js", timeout=10)
    assert module.headers["cache-control"] == "no-cache"
    again = requests.get(
        f"{live_server}/static/js/api.js",
        headers={"If-None-Match": module.headers["etag"]},
        timeout=10,
    )
    assert again.status_code == 304


def test_error_pages_are_html_off_the_api_and_json_on_it(live_server: str) -> None:
    page = requests.get(f"{live_server}/no/such/page", timeout=10)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Page not found" in page.text
    api = requests.get(f"{live_server}/api/no/such/thing", timeout=10)
    assert api.status_code == 404 and api.json()["status"] == 404
