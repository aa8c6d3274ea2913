"""Slack's real payloads (tests/fixtures/slack), replayed signed over HTTP into the served bot, and what
the person then sees: the card, a private answer, the Home tab."""

from __future__ import annotations

import json
from typing import Any

from bot.sandbox.model import SandboxPool
from bot.slack import ids
from bot.store import Request, RequestState
from tests.fixtures.slack.actions import action_body, ephemeral_click, home_click, message_click, thread_click
from tests.fixtures.slack.commands import (
    GRID_USER,
    command_body,
    direct_message_command,
    grid_command,
    group_dm_command,
    private_channel_command,
    slack_connect_command,
)
from tests.fixtures.slack.events import app_home_opened, event_body
from tests.integration.slack.harness import Harness
from tests.support.team import ALICE, CHANNEL, LEAD1, LEAD2

SLACK_TEXT_GUIDANCE = 4000  # Slack: keep a message's text under 4,000 characters


async def _card(bot: Harness, fields: dict[str, str], channel: str = CHANNEL) -> Request:
    before = len(bot.cards(channel))
    response = await bot.post(command_body(fields))
    assert response.status_code == 200
    return await bot.request_of(await bot.wait_card(before + 1, channel))


async def _home_views(bot: Harness, user: str, count: int) -> list[dict[str, Any]]:
    await bot.slack.wait_for(
        lambda s: len([c for c in s.calls_to("views.publish") if c.args.get("user_id") == user]) >= count,
        what=f"{count} Home view(s) for {user}",
    )
    return [c.args["view"] for c in bot.slack.calls_to("views.publish") if c.args.get("user_id") == user]


# ---- slash commands ---------------------------------------------------------------------------------


async def test_an_enterprise_grid_command_becomes_a_card_asked_by_the_grid_user(bot: Harness) -> None:
    fields = grid_command(
        "/pool",
        "resize staging-pg staging-web size=12",
        channel=CHANNEL,
        response_url=bot.slack.response_url(),
    )
    request = await _card(bot, fields)
    assert request.requester == GRID_USER
    card = bot.slack.message(CHANNEL, request.card_ts or "")
    assert f"*Requested by*\\n<@{GRID_USER}>" in json.dumps(card.blocks)


async def test_a_slack_connect_command_posts_its_card_in_the_shared_channel(bot: Harness) -> None:
    fields = slack_connect_command(
        "/pool", "resize staging-pg staging-web size=13", user=ALICE, response_url=bot.slack.response_url()
    )
    request = await _card(bot, fields, channel=fields["channel_id"])
    assert request.card_channel == fields["channel_id"]
    assert request.state is RequestState.PENDING


async def test_a_read_in_a_direct_message_answers_through_the_response_url(bot: Harness) -> None:
    fields = direct_message_command(
        "/db", "list staging-pg", user=ALICE, response_url=bot.slack.response_url("dm-read")
    )
    await bot.post(command_body(fields))
    [answer] = await bot.wait_webhook()
    assert answer["text"] == "staging-pg has 2 databases."
    assert bot.slack.calls_to("chat.postMessage") == []


async def _vanishing(bot: Harness, fields: dict[str, str], hook: str) -> None:
    """Slack refuses the card and any ephemeral note where the bot is not a member."""
    bot.slack.fail("chat.postMessage", "channel_not_found")
    bot.slack.fail("chat.postEphemeral", "channel_not_found")
    await bot.post(command_body(fields))
    await bot.slack.wait_for(
        lambda s: any(h == hook for h, _ in s.webhooks), what="the answer to the requester"
    )
    [answer] = [body for h, body in bot.slack.webhooks if h == hook]
    assert answer["response_type"] == "ephemeral"
    text = answer["text"]
    assert "I could not post the approval card in this channel (Slack said `channel_not_found`)" in text
    assert "was cancelled and nothing will change" in text
    assert "/invite @dbops" in text
    await bot.drain()
    [request] = await bot.store.list_requests()
    assert request.state is RequestState.CANCELLED
    assert request.id in text


async def test_a_change_asked_in_a_private_channel_the_bot_is_not_in_is_answered_to_the_requester(
    bot: Harness,
) -> None:
    fields = private_channel_command(
        "/pool", "resize staging-pg staging-web size=14", user=ALICE, response_url=bot.slack.response_url("p")
    )
    await _vanishing(bot, fields, "p")


async def test_a_change_asked_in_a_direct_message_is_answered_to_the_requester(bot: Harness) -> None:
    fields = direct_message_command(
        "/pool", "resize staging-pg staging-web size=15", user=ALICE, response_url=bot.slack.response_url("d")
    )
    await _vanishing(bot, fields, "d")


async def test_a_change_asked_in_a_group_dm_is_answered_to_the_requester(bot: Harness) -> None:
    fields = group_dm_command(
        "/pool", "resize staging-pg staging-web size=16", user=ALICE, response_url=bot.slack.response_url("g")
    )
    assert fields["channel_name"].startswith("mpdm-")
    await _vanishing(bot, fields, "g")
    [request] = await bot.store.list_requests()
    assert (request.channel, request.requester) == (fields["channel_id"], ALICE)


async def test_a_listing_of_150_pools_comes_in_pages_within_slacks_guidance(bot: Harness) -> None:
    cluster = bot.sandbox.find_cluster("staging-pg")
    for n in range(150):
        bot.sandbox.add_pool(cluster.id, SandboxPool(f"tenant-pool-{n:03d}", "transaction", 1, "app", "app"))
    await bot.command("/pool", "list staging-pg")
    await bot.slack.wait_for(lambda s: len(s.webhooks) >= 1, what="the listing")
    await bot.drain()
    pages = [body for _, body in bot.slack.webhooks]
    assert 1 < len(pages) <= 5  # a response_url takes five answers
    shown = ""
    for page in pages:
        blocks = json.dumps(page["blocks"])
        text_length = sum(len(b.get("text", {}).get("text", "")) for b in page["blocks"])
        text_length += sum(len(e.get("text", "")) for b in page["blocks"] for e in b.get("elements", []))
        assert text_length <= SLACK_TEXT_GUIDANCE, text_length
        assert page["response_type"] == "ephemeral"
        shown += blocks
    for n in range(150):
        assert f"`tenant-pool-{n:03d}`" in shown
    assert pages[0]["text"].startswith("staging-pg has 151 connection pools")
    assert "page 1 of" in json.dumps(pages[0]["blocks"])


async def test_a_long_command_echoed_in_a_usage_error_is_cut_cleanly_with_a_note(bot: Harness) -> None:
    response = await bot.command("/pool", "create prod-pg api " + "x" * 9000)
    assert response.status_code == 200
    text = response.text
    assert len(text) <= SLACK_TEXT_GUIDANCE
    assert text.count("`") % 2 == 0, "no code span is left open"
    assert "(cut:" in text


async def test_a_size_of_5000_digits_is_answered_with_the_usage_line(bot: Harness) -> None:
    response = await bot.command("/pool", "resize prod-pg web size=" + "9" * 5000)
    assert response.status_code == 200
    assert response.text.startswith(
        "Size must be a whole number from 1 to 2,147,483,647, not a 5,000-character value.\nUsage:"
    )
    await bot.drain()
    assert await bot.store.list_requests() == []


async def test_a_refusal_echoing_a_10000_character_name_is_cut_cleanly(bot: Harness) -> None:
    await bot.command("/pool", "show prod-pg " + "y" * 10_000)
    [answer] = await bot.wait_webhook()
    assert len(answer["text"]) <= SLACK_TEXT_GUIDANCE
    assert answer["text"].count("`") % 2 == 0
    assert answer["text"].endswith("more characters)")


# ---- clicks -----------------------------------------------------------------------------------------


async def test_a_click_on_an_ephemeral_message_without_a_message_body_is_handled(bot: Harness) -> None:
    request = await _card(
        bot,
        grid_command(
            "/pool",
            "resize staging-pg staging-web size=16",
            channel=CHANNEL,
            response_url=bot.slack.response_url(),
        ),
    )
    payload = ephemeral_click(
        ids.APPROVE,
        request.id,
        user=LEAD1,
        channel=CHANNEL,
        message_ts="1700000999.000001",
        block_id=ids.CARD_ACTIONS_BLOCK,
        response_url=bot.slack.response_url("eph"),
    )
    assert "message" not in payload
    assert (await bot.post(action_body(payload))).status_code == 200
    await bot.wait_thread(request, "The change succeeded")


async def test_a_refusal_for_a_click_inside_a_thread_is_shown_in_that_thread(bot: Harness) -> None:
    request = await _card(
        bot,
        grid_command(
            "/pool",
            "resize staging-pg staging-web size=17",
            channel=CHANNEL,
            response_url=bot.slack.response_url(),
        ),
    )
    payload = thread_click(
        ids.ACK_REVIEW,
        request.id,
        user=LEAD1,
        channel=CHANNEL,
        message_ts="1700000999.000002",
        thread_ts=request.card_ts or "",
        block_id="review",
        response_url=bot.slack.response_url("thr"),
    )
    await bot.post(action_body(payload))
    await bot.slack.wait_for(lambda s: any(m.user == LEAD1 for m in s.ephemeral), what="the refusal")
    [note] = [m for m in bot.slack.ephemeral if m.user == LEAD1]
    assert note.channel == CHANNEL
    assert note.thread_ts == request.card_ts


async def test_a_click_on_a_message_replayed_as_slack_sends_it_counts(bot: Harness) -> None:
    request = await _card(
        bot, grid_command("/db", "drop analytics-pg events", channel=CHANNEL, response_url="")
    )
    card = bot.slack.message(CHANNEL, request.card_ts or "")
    payload = message_click(
        ids.APPROVE,
        request.id,
        user=LEAD1,
        channel=CHANNEL,
        message_ts=card.ts,
        block_id=ids.CARD_ACTIONS_BLOCK,
        response_url=bot.slack.response_url("msg"),
        blocks=card.blocks,
    )
    await bot.post(action_body(payload))
    await bot.wait_ephemeral(LEAD1, f"Your approval of {request.id} is counted; it needs 1 more.")


# ---- App Home ---------------------------------------------------------------------------------------


async def test_opening_the_home_tab_lists_what_waits_for_this_approver(bot: Harness) -> None:
    await bot.command("/pool", "resize staging-pg staging-web size=18")
    request = await bot.request_of(await bot.wait_card())
    await bot.post(event_body(app_home_opened(LEAD2)))
    [view] = await _home_views(bot, LEAD2, 1)
    assert view["type"] == "home"
    assert f"*{request.id}*: resize pool staging-web on staging-pg" in json.dumps(view)
    await bot.post(event_body(app_home_opened(LEAD2, tab="messages", event_id="Ev0HOME0002")))
    await bot.drain()
    assert len(await _home_views(bot, LEAD2, 1)) == 1  # the Messages tab draws nothing


async def test_an_approval_counted_from_home_is_shown_on_home_not_in_a_hidden_dm(bot: Harness) -> None:
    await bot.command("/db", "drop analytics-pg events")
    request = await bot.request_of(await bot.wait_card())
    await bot.post(event_body(app_home_opened(LEAD2, view_id="V0HOMETAB")))
    await _home_views(bot, LEAD2, 1)
    click = home_click(ids.APPROVE, request.id, user=LEAD2, block_id=f"{ids.HOME_ACTIONS_PREFIX}{request.id}")
    await bot.post(action_body(click))
    views = await _home_views(bot, LEAD2, 2)
    await bot.drain()
    assert f"Your approval of {request.id} is counted; it needs 1 more." in json.dumps(views[-1])
    assert [c for c in bot.slack.calls_to("chat.postMessage") if c.args.get("channel") == LEAD2] == []


async def test_a_reject_from_home_refreshes_home_and_says_what_happened(bot: Harness) -> None:
    await bot.command("/pool", "resize staging-pg staging-web size=19")
    request = await bot.request_of(await bot.wait_card())
    await bot.post(event_body(app_home_opened(LEAD2, view_id="V0HOMETAB")))
    await _home_views(bot, LEAD2, 1)
    click = home_click(ids.REJECT, request.id, user=LEAD2, block_id=f"{ids.HOME_ACTIONS_PREFIX}{request.id}")
    await bot.post(action_body(click))
    await bot.slack.wait_for_calls("views.update")
    form = bot.slack.calls_to("views.update")[-1].args["view"]
    values = {ids.REASON_BLOCK: {ids.REASON_INPUT: {"type": "plain_text_input", "value": "not now"}}}
    await bot.submit(ids.MODAL_REJECT, values, user=LEAD2, private_metadata=form["private_metadata"])
    views = await _home_views(bot, LEAD2, 2)
    await bot.drain()
    assert (await bot.engine.get(request.id)).state is RequestState.REJECTED
    latest = json.dumps(views[-1])
    assert f"You rejected {request.id}" in latest
    assert [b for b in views[-1]["blocks"] if b["type"] == "actions"] == []  # no live buttons left
    assert [c for c in bot.slack.calls_to("chat.postMessage") if c.args.get("channel") == LEAD2] == []


async def test_a_refusal_from_home_is_shown_on_home(bot: Harness) -> None:
    await bot.command("/pool", "resize staging-pg staging-web size=20")
    request = await bot.request_of(await bot.wait_card())
    await bot.engine.cancel(request.id, ALICE)
    click = home_click(ids.APPROVE, request.id, user=LEAD2, block_id=f"{ids.HOME_ACTIONS_PREFIX}{request.id}")
    await bot.post(action_body(click))
    [view] = await _home_views(bot, LEAD2, 1)
    await bot.drain()
    assert f"{request.id} was cancelled by {ALICE}." in json.dumps(view)
    assert [c for c in bot.slack.calls_to("chat.postMessage") if c.args.get("channel") == LEAD2] == []
