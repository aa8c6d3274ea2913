"""The background task registry: failures are reported, concurrency is bounded, drain waits."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.slack.tasks import TaskRegistry


async def test_a_failing_task_is_logged_and_reported() -> None:
    registry = TaskRegistry()
    reported: list[str] = []

    async def boom() -> None:
        raise RuntimeError("the store is gone")

    async def report(error: BaseException) -> None:
        reported.append(str(error))

    registry.spawn(boom(), name="boom", on_error=report)
    await registry.drain()
    assert reported == ["the store is gone"]
    assert registry.failures == 1


async def test_concurrency_is_bounded_and_drain_waits_for_everything() -> None:
    registry = TaskRegistry(limit=2)
    active = 0
    peak = 0
    gate = asyncio.Event()
    done: list[int] = []

    async def work(n: int) -> None:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        await gate.wait()
        active -= 1
        done.append(n)

    for n in range(5):
        registry.spawn(work(n), name=f"w{n}")
    for _ in range(5):
        await asyncio.sleep(0)
    assert active == 2
    gate.set()
    await registry.drain()
    assert sorted(done) == [0, 1, 2, 3, 4]
    assert peak == 2
    assert registry.running == 0


async def test_after_drain_no_new_work_is_taken() -> None:
    registry = TaskRegistry()
    await registry.drain()

    async def work() -> None:
        return None

    with pytest.raises(RuntimeError, match="shutting down"):
        registry.spawn(work(), name="late")


async def test_drain_cancels_what_outlives_the_timeout(caplog: pytest.LogCaptureFixture) -> None:
    registry = TaskRegistry()
    never = asyncio.Event()
    registry.spawn(never.wait(), name="stuck")
    await asyncio.sleep(0)
    with caplog.at_level(logging.WARNING):
        await registry.drain(timeout=0)
    assert registry.running == 0
    assert "cancelling background task stuck at shutdown" in caplog.text


async def test_a_failing_reporter_does_not_escape(caplog: pytest.LogCaptureFixture) -> None:
    registry = TaskRegistry()

    async def boom() -> None:
        raise ValueError("first")

    async def bad_report(error: BaseException) -> None:
        raise RuntimeError("slack is down too")

    registry.spawn(boom(), name="boom", on_error=bad_report)
    await registry.drain()
    assert "could not report the failure of boom" in caplog.text


async def test_one_persons_burst_holds_only_their_slots_and_decisions_never_wait() -> None:
    registry = TaskRegistry(limit=4, per_person=2)
    gate = asyncio.Event()
    started: list[str] = []

    async def work(label: str) -> None:
        started.append(label)
        await gate.wait()

    for n in range(10):
        registry.spawn(work(f"alice read {n}"), name="read", person="U0ALICE")
    registry.spawn(work("bob read"), name="read", person="U0BOB")
    registry.spawn(work("approve"), name="approve", decision=True)
    for _ in range(20):
        await asyncio.sleep(0)
    assert sorted(started) == ["alice read 0", "alice read 1", "approve", "bob read"]
    gate.set()
    await registry.drain()
    assert len(started) == 12
