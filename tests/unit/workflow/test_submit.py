from __future__ import annotations

import re
from datetime import timedelta

import pytest

from bot.ops.changes import PoolCreate, PoolResize
from bot.store import RequestState
from bot.workflow import (
    ApprovalEngine,
    ChannelNotAllowed,
    DuplicateRequest,
    RequestNotFound,
    RequestRefused,
)

from .fakes import START, FakeClock, FakeService, RecordingNotifier

RESIZE = PoolResize(cluster="prod-pg", pool="web", size=30)


async def test_submit_plans_and_opens_a_pending_request(
    engine: ApprovalEngine, service: FakeService, notifier: RecordingNotifier
) -> None:
    request = await engine.submit(RESIZE, requester="U0ALICE", channel="C0OPS")

    assert re.fullmatch(r"R-[2-9A-HJKMNP-TV-Z]{6}", request.id)
    assert request.state is RequestState.PENDING
    assert request.change == RESIZE
    assert request.plan.summary == "resize pool web on prod-pg"
    assert request.resource_key == "9cc10173-e9ea-4176-9dbc-a4cee4c4ff30/pool/web"
    assert request.required_approvals == 2  # the prod-* override
    assert request.expires_at == START + timedelta(minutes=60)
    assert service.planned == [RESIZE]
    assert await engine.get(request.id) == request
    assert notifier.seen == [(request.id, RequestState.PENDING, "submitted")]
    [event] = await engine.audit(request.id)
    assert (event.kind, event.actor, event.to_state) == ("submitted", "U0ALICE", RequestState.PENDING)
    assert event.message == "U0ALICE asked to resize pool web on prod-pg (2 approval(s) needed)."


async def test_a_command_outside_the_allowed_channels_is_refused(
    engine: ApprovalEngine, service: FakeService
) -> None:
    with pytest.raises(ChannelNotAllowed) as caught:
        await engine.submit(RESIZE, requester="U0ALICE", channel="C0RANDOM")
    assert (caught.value.what, caught.value.allowed) == ("Database changes", ["C0OPS"])  # Slack links them
    assert service.planned == []
    assert await engine.list_pending() == []


async def test_a_change_the_service_layer_refuses_is_not_stored(engine: ApprovalEngine) -> None:
    with pytest.raises(RequestRefused) as caught:
        await engine.submit(
            PoolResize(cluster="nope-pg", pool="web", size=5), requester="U0ALICE", channel="C0OPS"
        )
    assert str(caught.value) == "There is no cluster named nope-pg."
    assert caught.value.field == "cluster"
    assert await engine.list_pending() == []
    [event] = await engine.store.events()
    assert (event.kind, event.request_id, event.cluster_name) == ("refused", None, "nope-pg")


async def test_a_second_request_for_the_same_resource_points_at_the_first(
    engine: ApprovalEngine, clock: FakeClock
) -> None:
    first = await engine.submit(RESIZE, requester="U0ALICE", channel="C0OPS")
    clock.advance(minutes=1)
    with pytest.raises(DuplicateRequest) as caught:
        await engine.submit(PoolResize(cluster="prod-pg", pool="web", mode="session"), "U0BOB", "C0OPS")
    assert str(caught.value) == f"{first.id} already asks to resize pool web on prod-pg."
    assert caught.value.existing.id == first.id
    other = await engine.submit(
        PoolCreate(cluster="prod-pg", pool="api", db="app", size=5, mode="transaction"), "U0BOB", "C0OPS"
    )
    assert [r.id for r in await engine.list_pending()] == [first.id, other.id]


async def test_once_the_first_request_is_over_the_resource_can_be_asked_for_again(
    engine: ApprovalEngine,
) -> None:
    first = await engine.submit(RESIZE, requester="U0ALICE", channel="C0OPS")
    await engine.cancel(first.id, "U0ALICE")
    second = await engine.submit(RESIZE, requester="U0ALICE", channel="C0OPS")
    assert second.id != first.id
    assert second.state is RequestState.PENDING


async def test_set_card_remembers_where_the_card_is(engine: ApprovalEngine) -> None:
    request = await engine.submit(RESIZE, requester="U0ALICE", channel="C0OPS")
    updated = await engine.set_card(request.id, "C0OPS", "1700000000.000100")
    assert (updated.card_channel, updated.card_ts) == ("C0OPS", "1700000000.000100")
    assert (await engine.get(request.id)).card_ts == "1700000000.000100"
    with pytest.raises(RequestNotFound) as caught:
        await engine.set_card("R-NOPE22", "C0OPS", "1.2")
    assert str(caught.value) == "There is no request R-NOPE22."
