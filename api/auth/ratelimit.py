"""Request rate limits per API key and per user (and login attempts per name and address),
with the `limits` library's sliding-window counter in process memory."""

from __future__ import annotations

import time

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import SlidingWindowCounterRateLimiter


class RateLimiter:
    """Per-process counters: with several server processes each enforces its own share; a
    shared storage (limits supports Redis) is the change when the service scales out."""

    def __init__(self) -> None:
        self._limiter = SlidingWindowCounterRateLimiter(MemoryStorage())

    def hit(self, key: str, per_minute: int) -> float | None:
        """None if allowed; otherwise the seconds to wait before the next attempt."""
        item = RateLimitItemPerMinute(per_minute)
        if self._limiter.hit(item, key):
            return None
        stats = self._limiter.get_window_stats(item, key)
        return max(1.0, stats.reset_time - time.time())
