"""A change interrupted by a crash, through Slack: when DigitalOcean shows it was not applied and the plan
still holds, the restarted bot carries it out and the thread says so; when the plan no longer holds, it
fails with the reason and **Request again** opens the same change as a new request in one click."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.demo.slack_standin import block_action_body
from bot.slack import ids
from bot.store import Request, RequestState
from bot.workflow import ApprovalEngine, Policy, StaticGroups
from tests.integration.slack.harness import Harness
from tests.support.team import CHANNEL, LEAD1, LEAD2
from tests.unit.workflow.fakes import FakeService

STAGING = "2f1b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"


async def _interrupted(bot: Harness) -> Request:
    """A resize whose executor died after its claim, before the write reached DigitalOcean."""
    before = len(bot.cards())
    await bot.command("/pool", "resize staging-pg staging-web size=12")
    request = await bot.request_of(await bot.wait_card(before + 1))
    held = FakeService(gate=asyncio.Event())  # the process that dies while DigitalOcean holds the call
    dying = ApprovalEngine(bot.store, held, Policy.default(), StaticGroups(), clock=bot.clock)
    approving = asyncio.create_task(dying.approve(request.id, LEAD1))
    await held.started.wait()
    approving.cancel()  # gone: its lease is no longer renewed
    bot.clock.advance(timedelta(seconds=16))  # past the default 15 s lease
    return request


async def test_a_change_not_applied_before_the_crash_is_carried_out_and_the_thread_says_so(
    bot: Harness,
) -> None:
    request = await _interrupted(bot)
    [recovered] = await bot.engine.recover()
    assert recovered.state is RequestState.SUCCEEDED
    lines = await bot.wait_thread(request, "The change succeeded")
    assert (
        ":arrows_counterclockwise: The change was not applied before the crash; carrying it out now." in lines
    )
    assert bot.sandbox.clusters[STAGING].pools["staging-web"].size == 12
    assert len([c for c in bot.sandbox.calls if c.method == "PUT"]) == 1


async def test_a_plan_that_no_longer_holds_fails_with_the_reason_and_request_again_opens_it_anew(
    bot: Harness,
) -> None:
    request = await _interrupted(bot)
    bot.sandbox.clusters[STAGING].pools["staging-web"].size = 14  # someone resized it meanwhile
    [recovered] = await bot.engine.recover()
    assert recovered.state is RequestState.FAILED
    await bot.wait_thread(request, "Request again")
    [offer] = [m for m in bot.slack.thread(CHANNEL, request.card_ts or "") if "Request again" in m.text]
    assert "matches neither the plan's before nor its after" in offer.text
    assert "Nothing was changed" in offer.text
    [button] = [e for b in offer.blocks if b["type"] == "actions" for e in b["elements"]]
    assert (button["action_id"], button["value"]) == (ids.REQUEST_AGAIN, request.id)
    assert [c for c in bot.sandbox.calls if c.method == "PUT"] == []

    cards = len(bot.cards())
    click = block_action_body(
        ids.REQUEST_AGAIN,
        request.id,
        user=LEAD2,
        channel=CHANNEL,
        message_ts=offer.ts,
        thread_ts=request.card_ts,
        block_id=ids.REQUEST_AGAIN_BLOCK,
    )
    assert (await bot.post(click)).status_code == 200
    again = await bot.request_of(await bot.wait_card(cards + 1))
    assert again.id != request.id
    assert again.state is RequestState.PENDING
    assert again.change == request.change
    assert again.requester == LEAD2
    await bot.wait_ephemeral(LEAD2, f"{again.id} asks for the same change as {request.id}")
