"""A bot process killed (SIGKILL) between its claim and the result: the restart reconciles, never re-runs.
With default settings, the request reaches its end within the lease plus one sweep of the kill."""

from __future__ import annotations

import asyncio
import signal
import time
from datetime import timedelta

from bot.config import Settings
from bot.ops.changes import PoolResize
from bot.store import RequestState, Store
from bot.workflow import ApprovalEngine, Policy, StaticGroups, utc_now
from tests.unit.workflow.fakes import FakeClock, FakeService

from .conftest import executions, read_line, spawn


async def test_a_killed_executor_is_reconciled_on_restart_without_executing_again(shared_url: str) -> None:
    store = Store.from_url(shared_url)
    try:
        engine = ApprovalEngine(store, FakeService(), Policy.default(), StaticGroups())
        request = await engine.submit(
            PoolResize(cluster="staging-pg", pool="staging-web", size=12), "U0ALICE", "C1"
        )

        worker = await spawn("hang", shared_url, request.id)
        assert await read_line(worker) == "blocked"  # claimed, execution started, no result yet
        worker.send_signal(signal.SIGKILL)
        assert await asyncio.wait_for(worker.wait(), timeout=60) == -signal.SIGKILL

        stuck = await engine.get(request.id)
        assert stuck.state is RequestState.EXECUTING
        assert stuck.claimed_by is not None
        assert await executions(store, request.id) == 1

        # The restarted bot: at once, the claim's lease still holds and nothing is touched …
        restarted = FakeService()
        clock = FakeClock(utc_now())
        after_restart = ApprovalEngine(store, restarted, Policy.default(), StaticGroups(), clock=clock)
        assert await after_restart.recover() == []
        # … once the lease is over, the request is reconciled from DigitalOcean's state.
        clock.advance(seconds=Settings().execution_lease_seconds + 1)
        [recovered] = await after_restart.recover()

        assert recovered.id == request.id
        assert recovered.state is RequestState.SUCCEEDED
        assert restarted.executed == []
        assert [plan.target for plan in restarted.reconciled] == ["staging-web"]
        assert await executions(store, request.id) == 1
        kinds = [event.kind for event in await after_restart.audit(request.id)]
        assert kinds == ["submitted", "approval", "approved", "executing", "interrupted", "reconciled"]
        assert await after_restart.recover() == []
    finally:
        await store.close()


async def _settled_within(engine: ApprovalEngine, request_id: str, bound: float) -> float:
    """Run recovery as the restarted bot does (every sweep interval) until the request has ended; the
    seconds it took. Polls up to a generous cap, so a slow machine reports a figure instead of flaking."""
    settings = Settings()
    started = time.monotonic()
    while time.monotonic() - started < 4 * bound:
        await engine.recover()
        if (await engine.get(request_id)).state in (RequestState.SUCCEEDED, RequestState.FAILED):
            return time.monotonic() - started
        await asyncio.sleep(settings.sweep_interval_seconds)
    raise AssertionError(f"{request_id} had not ended {4 * bound:.0f} s after the kill")


async def test_with_default_settings_a_killed_change_not_yet_applied_runs_once_within_the_lease_and_a_sweep(
    shared_url: str,
) -> None:
    settings = Settings()
    bound = settings.execution_lease_seconds + settings.sweep_interval_seconds
    assert bound <= 30  # the promise: an abandoned execution is settled within 30 s of the crash
    store = Store.from_url(shared_url)
    try:
        engine = ApprovalEngine(store, FakeService(), Policy.default(), StaticGroups())
        request = await engine.submit(
            PoolResize(cluster="staging-pg", pool="staging-web", size=12), "U0ALICE", "C1"
        )
        worker = await spawn("hang", shared_url, request.id)  # the default lease, renewed by its heartbeat
        assert await read_line(worker) == "blocked"
        await asyncio.sleep(settings.execution_lease_seconds / 2)  # a heartbeat or two has renewed it
        renewed = await engine.get(request.id)
        assert renewed.state is RequestState.EXECUTING
        assert renewed.lease_expires_at is not None
        assert renewed.claimed_at is not None
        assert renewed.lease_expires_at > renewed.claimed_at + timedelta(
            seconds=settings.execution_lease_seconds
        )
        worker.send_signal(signal.SIGKILL)
        assert await asyncio.wait_for(worker.wait(), timeout=60) == -signal.SIGKILL

        # The restarted bot, with default settings: DigitalOcean shows the change was not applied, and
        # the plan still holds, so it is carried out under a new claim, with the approvals it had.
        restarted = FakeService(reconcile_applied=False)
        after_restart = ApprovalEngine(
            store,
            restarted,
            Policy.default(),
            StaticGroups(),
            lease=timedelta(seconds=settings.execution_lease_seconds),
        )
        took = await _settled_within(after_restart, request.id, bound)
        print(f"settled {took:.1f} s after the kill (bound {bound:.0f} s)")
        assert took < bound

        final = await after_restart.get(request.id)
        assert final.state is RequestState.SUCCEEDED
        assert len(restarted.executed) == 1  # the killed attempt wrote nothing; this one wrote once
        assert await executions(store, request.id) == 1  # the killed process's attempt
        kinds = [event.kind for event in await after_restart.audit(request.id)]
        assert kinds == [
            "submitted",
            "approval",
            "approved",
            "executing",
            "interrupted",
            "resumed",
            "executed",
        ]
        await after_restart.recover()
        assert len(restarted.executed) == 1
    finally:
        await store.close()
