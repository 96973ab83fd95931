"""Text folding for vocabulary search: case- and accent-insensitive words."""

from __future__ import annotations

import re
import unicodedata

# Letters that carry no combining mark to strip but that users type in plain ASCII.
_EXTRA = str.maketrans(
    {
        "ø": "o",
        "Ø": "o",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "đ": "d",
        "Đ": "d",
        "ł": "l",
        "Ł": "l",
        "þ": "th",
        "Þ": "th",
        "ð": "d",
        "Ð": "d",
        "\u0131": "i",
    }
)
_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Lower-case ``text`` and strip its accents (``"Écoute"`` -> ``"ecoute"``)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_EXTRA))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
    """The folded words of ``text``; punctuation separates words (``"cc-by"`` -> cc, by)."""
    return _WORD.findall(fold(text))
