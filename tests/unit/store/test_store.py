"""The store on both backends: schema, conditional transitions, approvals, one live request per resource."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot.ops.changes import PoolResize
from bot.store import (
    ActiveRequestExists,
    AddApproval,
    EventDraft,
    Request,
    RequestIdTaken,
    RequestState,
    Store,
)
from tests.unit.workflow.fakes import make_plan

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
SUBMITTED = EventDraft(kind="submitted", actor="U0ALICE", message="U0ALICE asked.")


def new_request(request_id: str = "R-AAAAAA", required: int = 2, pool: str = "web") -> Request:
    plan = make_plan(PoolResize(cluster="prod-pg", pool=pool, size=30))
    return Request(
        id=request_id,
        action=plan.action,
        change=plan.change,
        plan=plan,
        resource_key=plan.resource_key,
        cluster_id=plan.cluster_id,
        cluster_name=plan.cluster_name,
        state=RequestState.PENDING,
        requester="U0ALICE",
        channel="C0OPS",
        required_approvals=required,
        created_at=NOW,
        updated_at=NOW,
        expires_at=NOW + timedelta(hours=1),
    )


async def test_migrate_is_idempotent(store: Store) -> None:
    await store.migrate()
    async with store.engine.connect() as conn:
        version = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar_one()
    assert version == "0003"
    await store.ping()


async def test_a_request_round_trips_with_aware_utc_times(store: Store) -> None:
    request = new_request()
    stored, event = await store.insert_request(request, SUBMITTED)
    assert stored == request
    assert await store.get(request.id) == request
    loaded = await store.get(request.id)
    assert loaded is not None
    assert loaded.created_at.tzinfo is not None
    assert (event.kind, event.to_state, event.request_id, event.cluster_name) == (
        "submitted",
        RequestState.PENDING,
        request.id,
        "prod-pg",
    )
    assert event.id > 0


async def test_one_live_request_per_resource_even_when_inserted_at_once(store: Store) -> None:
    results = await asyncio.gather(
        *(store.insert_request(new_request(f"R-AAAAA{i}"), SUBMITTED) for i in range(2, 8)),
        return_exceptions=True,
    )
    winners = [r for r in results if not isinstance(r, BaseException)]
    losers = [r for r in results if isinstance(r, ActiveRequestExists)]
    assert len(winners) == 1
    assert len(losers) == 5
    assert {loser.existing_id for loser in losers} == {winners[0][0].id}


async def test_a_request_id_in_use_is_reported(store: Store) -> None:
    await store.insert_request(new_request("R-AAAAAA", pool="web"), SUBMITTED)
    with pytest.raises(RequestIdTaken):
        await store.insert_request(new_request("R-AAAAAA", pool="reports"), SUBMITTED)


async def test_a_transition_happens_once_and_records_its_event(store: Store) -> None:
    request = new_request()
    await store.insert_request(request, SUBMITTED)
    cancel = EventDraft(kind="cancelled", actor="U0ALICE", message="U0ALICE cancelled it.")
    results = await asyncio.gather(
        *(
            store.transition(request.id, RequestState.PENDING, RequestState.CANCELLED, at=NOW, event=cancel)
            for _ in range(10)
        )
    )
    assert sum(result is not None for result in results) == 1
    events = await store.events(request_id=request.id)
    assert [(e.kind, e.from_state, e.to_state) for e in events] == [
        ("submitted", None, RequestState.PENDING),
        ("cancelled", RequestState.PENDING, RequestState.CANCELLED),
    ]


async def test_expired_by_only_moves_requests_past_their_expiry(store: Store) -> None:
    request = new_request()
    await store.insert_request(request, SUBMITTED)
    expire = EventDraft(kind="expired", actor="dbops", message="expired")
    early = NOW + timedelta(minutes=59)
    assert (
        await store.transition(
            request.id, RequestState.PENDING, RequestState.EXPIRED, at=early, event=expire, expired_by=early
        )
        is None
    )
    late = NOW + timedelta(minutes=60)
    moved = await store.transition(
        request.id, RequestState.PENDING, RequestState.EXPIRED, at=late, event=expire, expired_by=late
    )
    assert moved is not None
    assert moved[0].state is RequestState.EXPIRED


async def test_approvals_count_each_person_once_and_complete_exactly_once(store: Store) -> None:
    request = new_request(required=2)
    await store.insert_request(request, SUBMITTED)
    first = await store.add_approval(request.id, "U0LEADA", NOW)
    assert first.status is AddApproval.COUNTED
    assert (await store.add_approval(request.id, "U0LEADA", NOW)).status is AddApproval.DUPLICATE
    second = await store.add_approval(request.id, "U0LEADB", NOW)
    assert second.status is AddApproval.APPROVED
    assert second.request is not None
    assert second.request.state is RequestState.APPROVED
    assert [e.kind for e in second.events] == ["approval", "approved"]
    assert second.events[0].message == "U0LEADB approved (2 of 2)."
    assert (await store.add_approval(request.id, "U0LEADC", NOW)).status is AddApproval.NOT_PENDING
    assert (await store.add_approval("R-NONE22", "U0LEADC", NOW)).status is AddApproval.NOT_FOUND


async def test_an_approval_after_expiry_is_not_counted(store: Store) -> None:
    request = new_request()
    await store.insert_request(request, SUBMITTED)
    late = await store.add_approval(request.id, "U0LEADA", NOW + timedelta(hours=1))
    assert late.status is AddApproval.EXPIRED
    assert late.request is not None
    assert late.request.approvals == ()


@pytest.mark.parametrize("statement", ["UPDATE audit_events SET actor = 'U0EVE'", "DELETE FROM audit_events"])
async def test_the_audit_log_is_append_only_in_the_database(store: Store, statement: str) -> None:
    await store.insert_request(new_request(), SUBMITTED)
    with pytest.raises(DBAPIError, match="audit events are append-only"):
        async with store.engine.begin() as conn:
            await conn.execute(text(statement))
    [event] = await store.events()
    assert event.actor == "U0ALICE"


async def test_requests_are_listed_by_state_and_cluster(store: Store) -> None:
    first = new_request("R-AAAAAA", pool="web")
    second = new_request("R-BBBBBB", pool="reports")
    await store.insert_request(first, SUBMITTED)
    await store.insert_request(second, SUBMITTED)
    await store.add_approval(second.id, "U0LEADA", NOW)
    await store.add_approval(second.id, "U0LEADB", NOW)
    assert [r.id for r in await store.list_requests([RequestState.PENDING])] == [first.id]
    assert [r.id for r in await store.list_requests([RequestState.APPROVED], cluster="prod-pg")] == [
        second.id
    ]
    assert await store.list_requests(cluster="staging-pg") == []


async def test_text_a_person_typed_with_nul_characters_is_stored_on_both_backends(store: Store) -> None:
    """PostgreSQL text cannot hold U+0000; a refusal quoting such input must still be recorded."""
    typed = "pool\x00name <!channel>"
    event = await store.append_event(
        EventDraft(
            kind="refused",
            actor="U0ALICE",
            message=f'"{typed}" is not a valid pool name.',
            detail={"typed": typed, "words": [typed]},
        ),
        at=NOW,
        cluster_name="prod\x00pg",
    )
    [stored] = await store.events(cluster="prod\ufffdpg")
    assert stored.id == event.id
    assert stored.message == '"pool\ufffdname <!channel>" is not a valid pool name.'
    assert stored.detail == {"typed": "pool\ufffdname <!channel>", "words": ["pool\ufffdname <!channel>"]}


async def test_a_lease_is_renewed_only_under_its_claim_and_a_settlement_may_require_the_claim(
    store: Store,
) -> None:
    request = new_request(required=1)
    await store.insert_request(request, SUBMITTED)
    await store.add_approval(request.id, "U0BOB", NOW)
    claim = EventDraft(kind="executing", actor="dbops", message="Carrying it out.")
    values = {"claimed_at": NOW, "claimed_by": "bot-1/aaaa", "lease_expires_at": NOW + timedelta(seconds=15)}
    assert await store.transition(
        request.id, RequestState.APPROVED, RequestState.EXECUTING, at=NOW, event=claim, values=values
    )
    events = len(await store.events(request_id=request.id))

    later = NOW + timedelta(seconds=30)
    assert await store.renew_lease(request.id, "bot-1/aaaa", later)
    assert not await store.renew_lease(request.id, "bot-1/bbbb", later + timedelta(hours=1))
    renewed = await store.get(request.id)
    assert renewed is not None
    assert renewed.lease_expires_at == later
    assert renewed.updated_at == NOW  # a heartbeat is not a change of the request …
    assert len(await store.events(request_id=request.id)) == events  # … and writes no audit event

    done = EventDraft(kind="executed", actor="dbops", message="Done.")
    assert (
        await store.transition(
            request.id,
            RequestState.EXECUTING,
            RequestState.SUCCEEDED,
            at=later,
            event=done,
            claimed_by="bot-1/bbbb",
        )
        is None
    )
    assert await store.transition(
        request.id,
        RequestState.EXECUTING,
        RequestState.SUCCEEDED,
        at=later,
        event=done,
        claimed_by="bot-1/aaaa",
    )
    assert not await store.renew_lease(request.id, "bot-1/aaaa", later)  # no longer executing
