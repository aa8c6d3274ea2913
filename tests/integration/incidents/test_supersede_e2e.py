"""An emergency supersedes an ordinary pending request on the same resource (issue 13, item 6), over HTTP:
the pending one is cancelled with a note in its thread and in the audit log; the emergency goes ahead."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.slack import ids
from bot.store import RequestState
from tests.integration.slack.harness import POLICY, Harness, running_bot
from tests.support.team import ALICE, CHANNEL, LEAD1

ONCALL = "U0ONCALL"
INC = "C0INC42"
BREAK_GLASS = POLICY + f"break_glass: {{channels: [{INC}], on_call: [{ONCALL}], countdown_seconds: 30}}\n"


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Harness]:
    async with running_bot(tmp_path, policy_yaml=BREAK_GLASS) as harness:
        yield harness


async def test_the_on_calls_emergency_cancels_the_pending_request_and_runs(bot: Harness) -> None:
    await bot.command("/pool", "resize staging-pg staging-web size=13", user=ALICE)
    pending = await bot.request_of(await bot.wait_card())
    await bot.command(
        "/pool", 'resize staging-pg staging-web size=18 emergency="storm"', user=ONCALL, channel=INC
    )
    emergency = await bot.request_of(await bot.wait_card(channel=INC))
    assert emergency.is_emergency

    lines = await bot.wait_thread(pending, "supersedes")
    assert lines[-1] == (
        f":rotating_light: <@{ONCALL}>'s emergency change {emergency.id} on the same resource supersedes "
        "this request, so it was cancelled. Nothing was changed by it."
    )
    cancelled = await bot.engine.get(pending.id)
    assert (cancelled.state, cancelled.cancelled_by) == (RequestState.CANCELLED, ONCALL)
    [event] = [e for e in await bot.engine.audit(pending.id) if e.kind == "superseded"]
    assert event.message == (
        f"{pending.id} was cancelled: the emergency change {emergency.id} by {ONCALL} supersedes it."
    )
    await bot.click(ids.APPROVE, pending, user=LEAD1)  # too late: it is gone
    await bot.wait_ephemeral(LEAD1, f"{pending.id} was cancelled by {ONCALL}.")

    bot.clock.advance(timedelta(seconds=30))
    assert f"ran {emergency.id}" in await bot.engine.fire_due()
    await bot.wait_thread(emergency, "The change succeeded")
    assert bot.sandbox.find_cluster("staging-pg").pools["staging-web"].size == 18
    assert "Cancelled" in json.dumps(bot.slack.message(CHANNEL, pending.card_ts or "").blocks)
