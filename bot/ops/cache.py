"""A short-lived, single-value cache with an injectable clock (for the cluster list)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

__all__ = ["TtlCache"]

T = TypeVar("T")


class TtlCache(Generic[T]):
    """Holds one value for `ttl` seconds of `clock`; `get` loads it when missing or expired.

    Concurrent `get`s share one load. `clear()` drops the value (after every write).
    """

    def __init__(self, ttl: float, clock: Callable[[], float]) -> None:
        self._ttl = ttl
        self._clock = clock
        self._entry: tuple[T, float] | None = None  # (value, expires at)
        self._lock = asyncio.Lock()

    def _fresh(self) -> tuple[T, float] | None:
        entry = self._entry
        return entry if entry is not None and self._clock() < entry[1] else None

    async def get(self, load: Callable[[], Awaitable[T]]) -> T:
        if entry := self._fresh():
            return entry[0]
        async with self._lock:
            if entry := self._fresh():
                return entry[0]
            value = await load()
            if self._ttl > 0:
                self._entry = (value, self._clock() + self._ttl)
            return value

    def clear(self) -> None:
        self._entry = None
