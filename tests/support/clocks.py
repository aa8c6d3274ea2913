"""An epoch clock that moves only when told to, and a sleep that records its waits instead of sleeping.

Registered as a plugin by `tests/conftest.py`: every test may ask for `clock` and `sleep` (a layer's
conftest may override `clock` to start elsewhere).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

START: float = 1_760_000_000.0


@dataclass
class FakeClock:
    """Epoch seconds that move only by `advance` or when a `RecordedSleep` on it sleeps."""

    now: float = START

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class RecordedSleep:
    """Stands in for `asyncio.sleep`: records each wait and advances `clock` (if any) by it."""

    clock: FakeClock | None = None
    waits: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        if self.clock is not None:
            self.clock.advance(seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sleep(clock: FakeClock) -> RecordedSleep:
    return RecordedSleep(clock)
