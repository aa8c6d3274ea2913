"""A bot process killed (SIGKILL) between its claim and the result: the restart reconciles, never re-runs."""

from __future__ import annotations

import asyncio
import signal

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
        clock.advance(minutes=7)
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
