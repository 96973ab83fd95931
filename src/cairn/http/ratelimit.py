"""Rate limits on attempts (logins, sign-ups), counted by the ``limits`` library:
in memory for one process, in Redis when several processes must share the count."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter


class RateLimited(Exception):
    """Too many attempts; ``retry_after`` seconds until the next one is accepted."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many attempts; try again in {retry_after} seconds.")
        self.retry_after = retry_after


@dataclass
class AttemptLimiter:
    """Counts attempts per key (a client address, an email address) in a moving window."""

    rate: RateLimitItem
    limiter: MovingWindowRateLimiter

    @classmethod
    def from_settings(cls, rate: str, storage_url: str) -> AttemptLimiter:
        return cls(parse(rate), MovingWindowRateLimiter(storage_from_string(storage_url)))

    def hit(self, scope: str, *keys: str) -> None:
        """Count one attempt for every key; raise :class:`RateLimited` if any is over."""
        for key in keys:
            if not self.limiter.hit(self.rate, scope, key):
                stats = self.limiter.get_window_stats(self.rate, scope, key)
                raise RateLimited(max(1, math.ceil(stats.reset_time - time.time())))
