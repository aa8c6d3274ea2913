"""A form filled where the bot cannot post (a DM, a group DM, a private channel it is not in): the person
must learn that their request was cancelled, as they do when they type the change (issue 12, defect 2)."""

from __future__ import annotations

from bot.sandbox import STAGING_PG
from bot.slack import ids
from bot.store import RequestState
from tests.fixtures.slack.commands import command_body, direct_message_command
from tests.integration.slack.harness import Harness
from tests.support.team import ALICE

NOTE = "could not post the approval card"


async def test_a_form_submitted_in_a_direct_message_tells_the_requester_it_was_cancelled(
    bot: Harness,
) -> None:
    # In a DM the bot is not part of, Slack refuses both chat.postMessage and chat.postEphemeral
    # (tests/fixtures/slack/commands.py::direct_message_command); the slash command that opened the form
    # carried a response_url that works there (valid 30 minutes, five uses).
    updates = len(bot.slack.calls_to("views.update"))
    fields = direct_message_command("/pool", "create", user=ALICE, response_url=bot.slack.response_url("dm"))
    assert (await bot.post(command_body(fields))).status_code == 200
    await bot.slack.wait_for_calls("views.update", updates + 1)
    view_id = str(bot.slack.calls_to("views.update")[updates].args["view_id"])
    await bot.choose(view_id, ids.CLUSTER_SELECT, STAGING_PG, text="staging-pg")
    bot.type(view_id, ids.POOL_INPUT, "batch")
    await bot.choose(view_id, ids.DB_SELECT, "app")
    bot.type(view_id, ids.SIZE_INPUT, "5")
    await bot.choose(view_id, ids.MODE_SELECT, "session")
    bot.slack.fail("chat.postMessage", "channel_not_found")
    bot.slack.fail("chat.postEphemeral", "channel_not_found")

    response = await bot.submit_form(view_id)
    await bot.drain()

    [request] = await bot.store.list_requests()
    assert request.state is RequestState.CANCELLED
    told_in_form = NOTE in response.text
    told_by_response_url = any(NOTE in str(body.get("text", "")) for _, body in bot.slack.webhooks)
    assert told_in_form or told_by_response_url, "the requester was never told the request was cancelled"
