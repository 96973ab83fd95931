"""Attempt limits, in memory and shared through the real Redis on 127.0.0.1:6379."""

from __future__ import annotations

import uuid

import pytest

from cairn.http.ratelimit import AttemptLimiter, RateLimited

REDIS_URL = "redis://127.0.0.1:6379"


def test_memory_limits_count_each_key_and_say_when_to_retry() -> None:
    limiter = AttemptLimiter.from_settings("2/minute", "memory://")
    limiter.hit("login", "10.0.0.1", "a@example.org")
    limiter.hit("login", "10.0.0.1", "b@example.org")
    with pytest.raises(RateLimited) as caught:
        limiter.hit("login", "10.0.0.1", "c@example.org")  # the address is over its limit
    assert 1 <= caught.value.retry_after <= 60
    limiter.hit("login", "10.0.0.2", "c@example.org")  # another address is not
    limiter.hit("signup", "10.0.0.1")  # nor another scope


def test_processes_sharing_redis_share_one_count() -> None:
    key = f"test-{uuid.uuid4().hex}"  # Redis keeps counts across runs: use a fresh key
    first = AttemptLimiter.from_settings("3/minute", REDIS_URL)
    second = AttemptLimiter.from_settings("3/minute", REDIS_URL)
    first.hit("login", key)
    second.hit("login", key)
    first.hit("login", key)
    with pytest.raises(RateLimited):
        second.hit("login", key)
