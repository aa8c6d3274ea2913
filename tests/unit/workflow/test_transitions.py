"""The state machine in code: every edge of the transition table is reached through the engine, nothing
outside it ever happens, and an edge outside it is refused before the store is touched."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from pathlib import Path

import pytest

from bot.ops.changes import PoolResize
from bot.ops.errors import OutcomeUnknownError, StalePlan
from bot.ops.plan import ExecutionResult, Plan
from bot.store import EventDraft, RequestState, Store
from bot.workflow import EDGES, ApprovalEngine, Edge, EventKind, IllegalTransition, Policy
from bot.workflow.journal import Journal
from bot.workflow.ports import SilentNotifier
from bot.workflow.transitions import NEW

from .conftest import GROUPS, POLICY
from .fakes import FakeClock, FakeService, not_applied
from .test_incidents import INCIDENT_POLICY

OPS, INC, LEAD = "C0OPS", "C0INC", "U012LEAD"


def resize(pool: str) -> PoolResize:
    return PoolResize(cluster="staging-pg", pool=pool, size=12)  # one approval


class NotAppliedService(FakeService):
    """DigitalOcean answers the PUT, but the change is not in place."""

    async def execute(self, plan: Plan) -> ExecutionResult:
        self.executed.append(plan)
        return not_applied(plan)


async def test_every_edge_of_the_table_is_walked_through_the_engine_and_no_other(
    store: Store, clock: FakeClock
) -> None:
    incident = Policy.from_yaml(INCIDENT_POLICY.replace("daily_cap: 2", "daily_cap: 9"))

    def engine(service: FakeService | None = None, policy: Policy = incident) -> ApprovalEngine:
        # a 5 min lease: a heartbeat (every 100 s) never renews it during the test
        lease = timedelta(minutes=5)
        return ApprovalEngine(store, service or FakeService(), policy, GROUPS, clock=clock, lease=lease)

    main = engine()
    # submitted, approved, executing, executed → succeeded
    ok = await main.submit(resize("p-ok"), "U0ALICE", OPS)
    await main.approve(ok.id, LEAD)
    # executed → failed
    na = engine(NotAppliedService())
    await na.approve((await na.submit(resize("p-na"), "U0ALICE", OPS)).id, LEAD)
    # failed
    stale = engine(FakeService(execute_error=StalePlan("Pool p-stale changed since the plan was made.")))
    await stale.approve((await stale.submit(resize("p-stale"), "U0ALICE", OPS)).id, LEAD)
    # unknown → reconciled → succeeded, and → failed
    for pool, applied in (("p-u1", True), ("p-u2", False)):
        unsure = engine(
            FakeService(execute_error=OutcomeUnknownError("no answer"), reconcile_applied=applied)
        )
        await unsure.approve((await unsure.submit(resize(pool), "U0ALICE", OPS)).id, LEAD)
    # rejected, cancelled
    await main.reject((await main.submit(resize("p-rej"), "U0ALICE", OPS)).id, LEAD, "not now")
    await main.cancel((await main.submit(resize("p-can"), "U0ALICE", OPS)).id, "U0ALICE")
    # emergency, stopped; an emergency supersedes an ordinary pending request
    await main.stop((await main.submit(resize("p-stop"), "U0ONCALL", INC, emergency="down")).id, "U0BOB")
    await main.submit(resize("p-sup"), "U0ALICE", OPS)
    await main.stop((await main.submit(resize("p-sup"), "U0ONCALL", INC, emergency="down")).id, "U0BOB")
    # interrupted: an executor that never answers, recovered past its lease, then resumed
    stuck = FakeService(gate=asyncio.Event())
    hung = engine(stuck)
    task = asyncio.create_task(hung.approve((await hung.submit(resize("p-int"), "U0ALICE", OPS)).id, LEAD))
    await stuck.started.wait()
    # countdown_over (it runs), emergency_revoked (the policy no longer allows it), expired
    ran = await main.submit(resize("p-run"), "U0ONCALL", INC, emergency="down")
    clock.advance(seconds=60)
    assert f"ran {ran.id}" in await main.fire_due()
    revoked = await main.submit(resize("p-rev"), "U0ONCALL", INC, emergency="down")
    await main.submit(resize("p-exp"), "U0ALICE", OPS)
    clock.advance(minutes=6, seconds=1)  # past the countdown and the lease, not yet past expiry
    await engine(policy=Policy.from_yaml(POLICY)).fire_due()  # without break_glass: p-rev is revoked
    assert (await main.get(revoked.id)).state is RequestState.CANCELLED
    # recovered: DigitalOcean shows it was not applied, so it resumes (a new claim) and runs
    await engine(FakeService(reconcile_applied=False)).recover()
    clock.advance(minutes=60)
    await main.fire_due()
    task.cancel()

    walked = {
        Edge(e.from_state, EventKind(e.kind), e.to_state)
        for e in await store.events()
        if e.to_state is not None and e.from_state != e.to_state
    }
    assert walked == EDGES


async def test_an_edge_outside_the_table_is_refused_before_the_store_is_touched(
    engine: ApprovalEngine, store: Store, clock: FakeClock
) -> None:
    request = await engine.submit(resize("p-x"), "U0ALICE", OPS)
    before = await store.events()
    journal = Journal(store, SilentNotifier(), None)
    draft = EventDraft(kind=EventKind.EXECUTED, actor="dbops", message="skipping the approval")
    with pytest.raises(IllegalTransition):
        await journal.move(request, RequestState.PENDING, RequestState.SUCCEEDED, draft, at=clock())
    assert (await engine.get(request.id)).state is RequestState.PENDING
    assert await store.events() == before


WORKFLOW_MD = Path(__file__).parents[3] / "docs" / "WORKFLOW.md"
DIAGRAM_LINE = re.compile(r"^(?P<source>[a-z_]+)\s+--(?P<event>[a-z_]+)-->\s+(?P<target>[a-z_]+)\b")


def test_the_diagram_in_docs_workflow_md_is_the_transition_table() -> None:
    section = WORKFLOW_MD.read_text().split("## Requests", 1)[1]
    block = section.split("```text", 1)[1].split("```", 1)[0]
    drawn = set()
    for line in block.strip().splitlines():
        found = DIAGRAM_LINE.match(line)
        assert found is not None, f"not an edge line: {line!r}"
        source = None if found["source"] == NEW else RequestState(found["source"])
        drawn.add(Edge(source, EventKind(found["event"]), RequestState(found["target"])))
    assert drawn == EDGES
