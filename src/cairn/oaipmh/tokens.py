"""Self-contained resumption tokens.

A token carries the whole list request (verb, prefix, set, from, until), the keyset of the
last entry sent, the cursor and the list size, signed with the instance's secret key (HMAC
SHA-256). Nothing is stored on the server, so tokens never expire and survive restarts; a
token that was altered, or signed by another instance, is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import asdict, dataclass

import orjson


class BadToken(ValueError):
    """The token is not one this instance issued."""


@dataclass(frozen=True)
class ListState:
    verb: str
    prefix: str
    set_spec: str | None
    start: str | None  # the request's ``from`` and ``until``, as given
    until: str | None
    after_stamp: str  # ISO datestamp (full precision) and id of the last entry sent
    after_id: str
    cursor: int
    total: int
    # the versions of the sets defined by a query the list reads ("id.revision,..."; empty
    # for other lists and in tokens from before there were such sets)
    set_version: str = ""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenSigner:
    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("resumption tokens need a secret key")
        self._key = hashlib.sha256(b"cairn-oai-resumption:" + secret.encode()).digest()

    def _signature(self, payload: bytes) -> str:
        return _b64(hmac.new(self._key, payload, hashlib.sha256).digest()[:18])

    def dumps(self, state: ListState) -> str:
        payload = orjson.dumps(asdict(state))
        return f"{_b64(payload)}.{self._signature(payload)}"

    def loads(self, token: str) -> ListState:
        body, _, signature = token.partition(".")
        try:
            payload = _unb64(body)
        except (ValueError, UnicodeEncodeError) as exc:
            raise BadToken(token) from exc
        if not hmac.compare_digest(self._signature(payload), signature):
            raise BadToken(token)
        try:
            return ListState(**orjson.loads(payload))
        except (orjson.JSONDecodeError, TypeError) as exc:  # pragma: no cover - signed by us
            raise BadToken(token) from exc
