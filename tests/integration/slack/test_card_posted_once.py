"""A new request's card is posted once, complete, and not rewritten straight after (issue 14, item 4)."""

from __future__ import annotations

from bot.store import RequestState
from tests.integration.slack.harness import Harness
from tests.support.team import CHANNEL


async def test_a_new_card_is_posted_once_complete(bot: Harness) -> None:
    await bot.command("/pool", "resize staging-pg staging-web size=15")
    card = await bot.wait_card()
    request = await bot.request_of(card)  # the store has the card's ts
    await bot.drain()
    assert request.state is RequestState.PENDING
    [posted] = [c for c in bot.slack.calls_to("chat.postMessage") if c.args.get("channel") == CHANNEL]
    assert posted.args["text"] == f"{request.id}: resize pool staging-web on staging-pg — pending"
    assert any(b.get("type") == "actions" for b in posted.args["blocks"])  # Approve / Reject from the start
    assert bot.slack.calls_to("chat.update") == []
