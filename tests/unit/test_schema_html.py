"""HTML sanitising in cairn.records.schema.html."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cairn.records.schema.html import ALLOWED_TAGS, sanitize_html, visible_text


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>Plain</p>", "<p>Plain</p>"),
        ("<script>alert(1)</script>Text", "Text"),
        ("<style>body{}</style>Text", "Text"),
        ('<p onclick="x()" style="color:red" id="i">T</p>', "<p>T</p>"),
        ('<span class="c" title="t">T</span>', '<span class="c" title="t">T</span>'),
        (
            '<a href="mailto:a@b.org">m</a>',
            '<a href="mailto:a@b.org" rel="noopener noreferrer nofollow">m</a>',
        ),
        ('<a href="javascript:alert(1)">j</a>', '<a rel="noopener noreferrer nofollow">j</a>'),
        ('<a href="data:text/html,x">d</a>', '<a rel="noopener noreferrer nofollow">d</a>'),
        ("<img src=x onerror=alert(1)>", ""),
        ("<video><source src=x></video>V", "V"),
        ("<hr><s>old</s>", "<hr><s>old</s>"),
        ("1 < 2 & 3", "1 &lt; 2 &amp; 3"),
        ("<!-- comment -->T", "T"),
    ],
)
def test_sanitize(html: str, expected: str) -> None:
    assert sanitize_html(html) == expected


def test_every_allowed_tag_survives() -> None:
    for tag in sorted(ALLOWED_TAGS - {"a", "br", "hr", "table", "tbody", "tr", "td", "th", "li"}):
        assert sanitize_html(f"<{tag}>x</{tag}>") == f"<{tag}>x</{tag}>"


def test_visible_text() -> None:
    assert visible_text("<p>a &amp; b</p><script>x</script>") == "a & b"
    assert visible_text("<p></p><br>") == ""


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/=\"' abcpdivtrsclh&;#1")), max_size=60))
def test_sanitising_twice_changes_nothing(html: str) -> None:
    once = sanitize_html(html)
    assert sanitize_html(once) == once
