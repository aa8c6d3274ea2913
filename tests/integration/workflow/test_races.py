"""50 approvers click at once: exactly one execution, every time — in one process, and across four."""

from __future__ import annotations

import asyncio
import json
from collections import Counter

import pytest

from bot.ops.changes import PoolCreate
from bot.store import RequestState, Store
from bot.workflow import ApprovalEngine, ApprovalStatus, Policy, StaticGroups
from tests.unit.workflow.fakes import FakeService

from .conftest import executions, read_line, repetitions, spawn

APPROVERS = [f"U0RACE{i:02d}" for i in range(50)]


def policy_needing(approvals: int) -> Policy:
    rules = {action: {"approvals": approvals} for action in ("pool.create", "pool.resize", "pool.delete")}
    rules |= {"db.create": {"approvals": 1}, "db.drop": {"approvals": 2}}
    return Policy.model_validate({"approvers": ["*"], "actions": rules})


def change(rep: int, approvals: int) -> PoolCreate:
    return PoolCreate(cluster="prod-pg", pool=f"race-{rep}-{approvals}", db="app", size=2, mode="transaction")


@pytest.mark.parametrize("approvals", [1, 2])
async def test_fifty_concurrent_approvals_in_one_process_execute_once(
    shared_url: str, approvals: int
) -> None:
    store = Store.from_url(shared_url)
    service = FakeService()
    engine = ApprovalEngine(store, service, policy_needing(approvals), StaticGroups())
    try:
        for rep in range(repetitions(3)):
            request = await engine.submit(change(rep, approvals), "U0ALICE", "C0OPS")
            outcomes = await asyncio.gather(*(engine.approve(request.id, user) for user in APPROVERS))

            statuses = Counter(outcome.status for outcome in outcomes)
            assert statuses[ApprovalStatus.APPROVED] == 1
            assert statuses[ApprovalStatus.COUNTED] == approvals - 1
            assert statuses[ApprovalStatus.NOT_PENDING] == 50 - approvals
            done = await engine.get(request.id)
            assert done.state is RequestState.SUCCEEDED
            assert len(done.approvals) == approvals
            assert [plan.target for plan in service.executed].count(request.plan.target) == 1
            claims = [e for e in await engine.audit(request.id) if e.kind == "executing"]
            assert len(claims) == 1
        assert len(service.executed) == repetitions(3)
    finally:
        await store.close()


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.parametrize("shared_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
async def test_fifty_concurrent_approvals_across_four_processes_execute_once(shared_url: str) -> None:
    groups = [APPROVERS[i::4] for i in range(4)]
    workers = [await spawn("race", shared_url, ",".join(users)) for users in groups]
    store = Store.from_url(shared_url)
    try:
        assert [await read_line(worker) for worker in workers] == ["ready"] * 4
        for rep in range(repetitions(3)):
            for approvals in (1, 2):
                engine = ApprovalEngine(store, FakeService(), policy_needing(approvals), StaticGroups())
                request = await engine.submit(change(rep, approvals), "U0ALICE", "C0OPS")
                for worker in workers:
                    assert worker.stdin is not None
                    worker.stdin.write(f"{request.id}\n".encode())
                    await worker.stdin.drain()
                statuses: Counter[str] = Counter()
                for worker in workers:
                    statuses.update(json.loads(await read_line(worker)))

                assert statuses[ApprovalStatus.APPROVED.value] == 1
                assert statuses[ApprovalStatus.COUNTED.value] == approvals - 1
                assert sum(statuses.values()) == 50
                assert await executions(store, request.id) == 1
                done = await engine.get(request.id)
                assert done.state is RequestState.SUCCEEDED
                assert len(done.approvals) == approvals
    finally:
        for worker in workers:
            if worker.returncode is None and worker.stdin is not None:
                worker.stdin.write(b"quit\n")
                await worker.stdin.drain()
        for worker in workers:
            assert await asyncio.wait_for(worker.wait(), timeout=60) == 0
        await store.close()
