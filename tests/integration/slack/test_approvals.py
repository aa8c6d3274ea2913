"""The approval card: refusals, double and concurrent clicks, two-approval drop, reject, cancel, expiry."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from urllib.parse import urlencode

from bot.demo.slack_standin import API_APP_ID, TEAM_ID
from bot.slack import ids
from bot.slack.renderers.views import FormMeta
from bot.store import Request, RequestState
from tests.integration.slack.harness import Harness
from tests.support.team import ALICE, CHANNEL, LEAD1, LEAD2, LEAD3, MALLORY


async def _ask(bot: Harness, command: str, text: str) -> Request:
    before = len(bot.cards())
    await bot.command(command, text)
    return await bot.request_of(await bot.wait_card(before + 1))


async def test_requester_and_non_approver_are_refused_and_the_card_does_not_change(bot: Harness) -> None:
    request = await _ask(bot, "/pool", "resize staging-pg staging-web size=12")
    edits = bot.slack.message(CHANNEL, request.card_ts or "").edits
    await bot.click(ids.APPROVE, request, user=ALICE)
    await bot.wait_ephemeral(ALICE, f"You asked for {request.id}, so someone else has to approve it.")
    await bot.click(ids.APPROVE, request, user=MALLORY)
    await bot.wait_ephemeral(MALLORY, "You are not an approver for pool.resize on staging-pg.")
    await bot.drain()
    assert bot.slack.message(CHANNEL, request.card_ts or "").edits == edits
    assert bot.thread(request) == []
    assert (await bot.engine.get(request.id)).state is RequestState.PENDING


async def test_two_approval_drop_keeps_buttons_and_counts_each_approver_once(bot: Harness) -> None:
    request = await _ask(bot, "/db", "drop analytics-pg events")
    await bot.click(ids.APPROVE, request, user=LEAD1)
    await bot.wait_thread(request, f"<@{LEAD1}> approved (1 of 2)")
    await bot.click(ids.APPROVE, request, user=LEAD1)
    await bot.wait_ephemeral(LEAD1, f"You have already approved {request.id}")
    card = bot.slack.message(CHANNEL, request.card_ts or "")
    assert [b for b in card.blocks if b["type"] == "actions"], "still waiting: the buttons stay"
    assert "*Approvals* (1 of 2)\\n<@U0LEAD1>" in str(card.blocks).replace("\n", "\\n")
    await bot.click(ids.APPROVE, request, user=LEAD3)  # an approver through the user group
    lines = await bot.wait_thread(request, "The change succeeded")
    assert lines.count(f":ballot_box_with_check: <@{LEAD1}> approved (1 of 2).") == 1
    assert f":ballot_box_with_check: <@{LEAD3}> approved (2 of 2)." in lines
    assert (await bot.engine.get(request.id)).state is RequestState.SUCCEEDED
    assert [c.path for c in bot.sandbox.calls if c.method == "DELETE"] == [
        f"/v2/databases/{request.cluster_id}/dbs/events"
    ]


async def test_drop_of_a_database_in_use_shows_its_pools_and_digitaloceans_refusal(bot: Harness) -> None:
    request = await _ask(bot, "/db", "drop prod-pg orders")
    card = bot.slack.message(CHANNEL, request.card_ts or "")
    assert ":warning: *Pools that use this database (they would break):* `reports`" in str(card.blocks)
    bot.sandbox.faults.status(
        422,
        message="Database orders is used by connection pool reports; delete those pools first.",
        operation="delete_database",
    )
    await bot.click(ids.APPROVE, request, user=LEAD1)
    await bot.click(ids.APPROVE, request, user=LEAD2)
    lines = await bot.wait_thread(request, "The change failed")
    failed = await bot.engine.get(request.id)
    assert failed.failure is not None
    assert failed.failure.request_id
    assert lines[-1] == (
        ":x: The change failed. DigitalOcean refused the request: Database orders is used by connection pool "
        f"reports; delete those pools first. DigitalOcean answered HTTP 422. DigitalOcean request_id: "
        f"`{failed.failure.request_id}`. Nothing was changed."
    )


async def test_concurrent_approve_clicks_execute_once(bot: Harness) -> None:
    request = await _ask(bot, "/pool", "resize staging-pg staging-web size=14")
    clicks = [bot.click(ids.APPROVE, request, user=user) for user in (LEAD1, LEAD2, LEAD3) for _ in range(4)]
    responses = await asyncio.gather(*clicks)
    assert {r.status_code for r in responses} == {200}
    await bot.wait_thread(request, "The change succeeded")
    await bot.drain()
    assert len([c for c in bot.sandbox.calls if c.method == "PUT"]) == 1
    assert sum("Execution started" in line for line in bot.thread(request)) == 1


async def test_reject_asks_for_a_reason_in_a_modal(bot: Harness) -> None:
    request = await _ask(bot, "/pool", "delete staging-pg staging-web")
    await bot.click(ids.REJECT, request, user=LEAD2)
    [opened] = await bot.slack.wait_for_calls("views.open")
    assert opened.args["view"]["title"]["text"] == "Reject request"
    [updated] = await bot.slack.wait_for_calls("views.update")
    assert [b.get("block_id") for b in updated.args["view"]["blocks"]][-1] == ids.REASON_BLOCK
    meta = updated.args["view"]["private_metadata"]
    assert FormMeta.load(meta).request_id == request.id
    values = {
        ids.REASON_BLOCK: {ids.REASON_INPUT: {"type": "plain_text_input", "value": "not during <!here> sale"}}
    }
    await bot.submit(ids.MODAL_REJECT, values, user=LEAD2, private_metadata=meta)
    lines = await bot.wait_thread(request, "rejected the request")
    assert lines[-1] == (
        f":no_entry_sign: <@{LEAD2}> rejected the request. Nothing was changed.\n"
        f"*Reason given by <@{LEAD2}>:*\n> not during &lt;!here&gt; sale"
    )
    assert (await bot.engine.get(request.id)).state is RequestState.REJECTED
    assert [c for c in bot.sandbox.calls if c.method != "GET"] == []


async def test_a_non_approver_cannot_reject(bot: Harness) -> None:
    request = await _ask(bot, "/pool", "delete staging-pg staging-web")
    await bot.click(ids.REJECT, request, user=MALLORY)
    [updated] = await bot.slack.wait_for_calls("views.update")
    assert updated.args["view"]["blocks"][0]["text"]["text"] == (
        f"You are not an approver for pool.delete on staging-pg, so you cannot reject {request.id}."
    )
    assert "submit" not in updated.args["view"]


async def test_only_the_requester_can_cancel(bot: Harness) -> None:
    request = await _ask(bot, "/db", "create staging-pg billing")
    await bot.click(ids.CANCEL, request, user=LEAD1)
    await bot.wait_ephemeral(LEAD1, f"Only U0ALICE, who asked for {request.id}, can cancel it.")
    assert (await bot.engine.get(request.id)).state is RequestState.PENDING
    await bot.click(ids.CANCEL, request, user=ALICE)
    lines = await bot.wait_thread(request, "cancelled the request")
    assert lines == [f":heavy_multiplication_x: <@{ALICE}> cancelled the request. Nothing was changed."]
    card = bot.slack.message(CHANNEL, request.card_ts or "")
    assert card.text == f"{request.id}: create database billing on staging-pg — cancelled"


async def test_an_expired_request_can_no_longer_be_approved(bot: Harness) -> None:
    request = await _ask(bot, "/pool", "resize staging-pg staging-web size=16")
    bot.clock.advance(timedelta(minutes=61))
    expired = await bot.engine.sweep_expired()
    assert [r.id for r in expired] == [request.id]
    lines = await bot.wait_thread(request, "expired")
    assert lines == [":hourglass: The request expired with 0 of 1 approvals. Nothing was changed."]
    await bot.click(ids.APPROVE, request, user=LEAD1)
    await bot.wait_ephemeral(LEAD1, f"{request.id} expired at")
    assert [c for c in bot.sandbox.calls if c.method == "PUT"] == []
    card = bot.slack.message(CHANNEL, request.card_ts or "")
    assert not [b for b in card.blocks if b["type"] == "actions"]


async def test_a_click_the_bot_cannot_read_is_still_answered_200_and_changes_nothing(bot: Harness) -> None:
    """A listener that fails after its ack keeps the ack: Slack shows no error, nothing is executed."""
    payload = {
        "type": "block_actions",
        "user": {"id": LEAD1, "team_id": TEAM_ID},
        "api_app_id": API_APP_ID,
        "team": {"id": TEAM_ID, "domain": "acme"},
        "container": {"type": "message", "message_ts": "1700000000.000001", "channel_id": CHANNEL},
        "actions": [{"type": "button", "action_id": ids.APPROVE, "block_id": ids.CARD_ACTIONS_BLOCK}],
    }
    response = await bot.post(urlencode({"payload": json.dumps(payload)}))
    assert response.status_code == 200
    await bot.drain()
    assert [c for c in bot.sandbox.calls if c.method != "GET"] == []
