"""InvenioRDM-compatible record identifiers.

An id is 8 random Crockford base32 symbols followed by a two-digit ISO 7064 mod 97-10
checksum, split after five characters: ``xxxxx-xxxdd``.  Decoding is forgiving the way
Crockford intends: case is ignored, ``i``/``l`` read as ``1`` and ``o`` as ``0``.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_VALUES = {ch: i for i, ch in enumerate(ALPHABET)}
_VALUES.update({"i": 1, "l": 1, "o": 0})
_RANDOM_SYMBOLS = 8


def _checksum(number: int) -> int:
    return 97 - ((100 * number) % 97) + 1


def _encode(number: int, length: int) -> str:
    symbols = []
    for _ in range(length):
        number, rest = divmod(number, 32)
        symbols.append(ALPHABET[rest])
    return "".join(reversed(symbols))


def _format(number: int) -> str:
    raw = _encode(number, _RANDOM_SYMBOLS) + f"{_checksum(number):02d}"
    return f"{raw[:5]}-{raw[5:]}"


def generate_id() -> str:
    """Return a new random id such as ``n5qej-kaz30``."""
    return _format(secrets.randbits(5 * _RANDOM_SYMBOLS))


def normalize_id(value: str) -> str | None:
    """Return the canonical form of ``value`` or ``None`` when it is not a valid id."""
    if not isinstance(value, str) or len(value) > 32:
        return None
    cleaned = value.strip().lower().replace("-", "")
    if len(cleaned) != _RANDOM_SYMBOLS + 2 or not cleaned[-2:].isdigit():
        return None
    number = 0
    for ch in cleaned[:_RANDOM_SYMBOLS]:
        digit = _VALUES.get(ch)
        if digit is None:
            return None
        number = number * 32 + digit
    if int(cleaned[-2:]) != _checksum(number):
        return None
    return _format(number)
