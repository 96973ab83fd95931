from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.factories import Factory, User


class Api:
    """A small HTTP client bound to the live server and, optionally, a user's token."""

    def __init__(self, base: str, token: str | None = None) -> None:
        self.base = base
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def __call__(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", 30)
        return self.session.request(method, self.base + path, **kwargs)

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> requests.Response:
        return self("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> requests.Response:
        return self("PUT", path, **kw)

    def delete(self, path: str, **kw: Any) -> requests.Response:
        return self("DELETE", path, **kw)


@pytest.fixture
def anon(live_server: str) -> Api:
    return Api(live_server)


@pytest.fixture
def user(factory: Factory) -> User:
    return factory.user()


@pytest.fixture
def admin(factory: Factory) -> User:
    return factory.user(admin=True)


@pytest.fixture
def api(live_server: str, user: User) -> Api:
    return Api(live_server, user.token)


@pytest.fixture
def admin_api(live_server: str, admin: User) -> Api:
    return Api(live_server, admin.token)
