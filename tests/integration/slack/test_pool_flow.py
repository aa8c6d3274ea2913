"""A pool change from the slash command to the result in the card's thread."""

from __future__ import annotations

from bot.slack import ids
from bot.store import RequestState
from tests.integration.slack.harness import Harness
from tests.support.team import ALICE, CHANNEL, INCIDENTS, LEAD1


async def test_resize_happy_path_to_result_in_thread(bot: Harness) -> None:
    response = await bot.command("/pool", "resize staging-pg staging-web size=15")
    assert response.status_code == 200
    card = await bot.wait_card()
    request = await bot.request_of(card)
    assert request.state is RequestState.PENDING
    assert card.text == f"{request.id}: resize pool staging-web on staging-pg — pending"

    assert (await bot.click(ids.APPROVE, request, user=LEAD1)).status_code == 200
    lines = await bot.wait_thread(request, "The change succeeded")
    assert lines[0] == f":ballot_box_with_check: <@{LEAD1}> approved (1 of 1)."
    assert ":gear: Execution started on DigitalOcean." in lines
    assert lines[-1].startswith(":white_check_mark: The change succeeded.")
    final = await bot.engine.get(request.id)
    assert final.state is RequestState.SUCCEEDED
    shown = bot.slack.message(CHANNEL, card.ts)
    assert shown.text == f"{request.id}: resize pool staging-web on staging-pg — succeeded"
    buttons = [e["action_id"] for b in shown.blocks if b["type"] == "actions" for e in b["elements"]]
    assert buttons == [ids.REVERT]  # nothing to decide any more; it can be reverted for a while
    announced = await bot.wait_card(1, channel=INCIDENTS)
    assert announced.text.startswith(
        f":white_check_mark: {request.id} succeeded: resize pool staging-web on staging-pg"
    )
    assert f"https://acme.slack.com/archives/{CHANNEL}/p{card.ts.replace('.', '')}" in announced.text
    pools = [p for p in (await bot.ops.list_pools("staging-pg")).pools if p.name == "staging-web"]
    assert pools[0].size == 15
    writes = [c for c in bot.sandbox.calls if c.method == "PUT"]
    assert len(writes) == 1
    assert ALICE not in {c.args.get("user") for c in bot.slack.calls_to("chat.postEphemeral")}
