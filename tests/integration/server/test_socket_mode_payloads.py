"""Slack's real Socket Mode envelopes (tests/fixtures/slack/socket_mode.py) delivered to `python -m bot
serve` over the stand-in's WebSocket: each is acked by its `envelope_id`, and the person sees the same as
over HTTP. An Events API redelivery (`retry_attempt`) is acked and not handled twice."""

from __future__ import annotations

import json
from pathlib import Path

from bot.demo.slack_standin import SlackStandIn
from bot.slack import ids
from tests.fixtures.slack import socket_mode
from tests.fixtures.slack.actions import thread_click
from tests.fixtures.slack.commands import grid_command, private_channel_command
from tests.fixtures.slack.events import app_home_opened
from tests.support.team import ALICE, CHANNEL

from .process import APP_TOKEN, LEAD, bot_env, card_with_buttons, leaked, serving


async def test_socket_mode_envelopes_as_slack_sends_them_reach_the_person(tmp_path: Path) -> None:
    async with SlackStandIn() as slack:
        env = bot_env(tmp_path, slack, SLACK_APP_TOKEN=APP_TOKEN)
        del env["SLACK_SIGNING_SECRET"]
        async with serving(env, tmp_path) as bot:
            await bot.wait_for_output("connected to Slack over Socket Mode")
            await slack.wait_for(lambda s: s.socket_connected, what="the bot's WebSocket")

            # a change typed in a private channel the bot is not in: told through the response_url
            slack.fail("chat.postMessage", "channel_not_found")
            slack.fail("chat.postEphemeral", "channel_not_found")
            frame = socket_mode.slash_commands(
                private_channel_command(
                    "/pool",
                    "resize staging-pg staging-web size=12",
                    user=ALICE,
                    response_url=slack.response_url("private"),
                )
            )
            assert (await slack.wait_for_ack(await slack.send_frame(frame)))["envelope_id"] == frame[
                "envelope_id"
            ]
            await slack.wait_for(lambda s: len(s.webhooks) >= 1, what="the answer to the requester")
            [(hook, answer)] = slack.webhooks
            assert hook == "private"
            assert "I could not post the approval card in this channel" in answer["text"]

            # a Grid user's change in the channel, then Acknowledge clicked inside the card's thread
            frame = socket_mode.slash_commands(
                grid_command(
                    "/pool", "resize staging-pg staging-web size=13", channel=CHANNEL, response_url=""
                )
            )
            await slack.wait_for_ack(await slack.send_frame(frame))
            card = await card_with_buttons(slack, env)
            request_id = card.text.split(":", 1)[0]
            click = socket_mode.interactive(
                thread_click(
                    ids.ACK_REVIEW,
                    request_id,
                    user=LEAD,
                    channel=CHANNEL,
                    message_ts="1700000999.000009",
                    thread_ts=card.ts,
                    block_id="review",
                    response_url=slack.response_url("thread"),
                )
            )
            await slack.wait_for_ack(await slack.send_frame(click))
            await slack.wait_for(lambda s: any(m.user == LEAD for m in s.ephemeral), what="the refusal")
            [note] = [m for m in slack.ephemeral if m.user == LEAD]
            assert (note.channel, note.thread_ts) == (CHANNEL, card.ts)

            # the Home tab opened; then Slack redelivers that event: acked, not drawn again
            opened = socket_mode.events_api(app_home_opened(LEAD, event_id="Ev0SOCKET01"))
            await slack.wait_for_ack(await slack.send_frame(opened))
            await slack.wait_for_calls("views.publish")
            [published] = slack.calls_to("views.publish")
            assert published.args["user_id"] == LEAD
            assert f"*{request_id}*: resize pool staging-web on staging-pg" in json.dumps(published.args)
            again = socket_mode.events_api(
                app_home_opened(LEAD, event_id="Ev0SOCKET01"), retry_attempt=1, retry_reason="timeout"
            )
            ack = await slack.wait_for_ack(await slack.send_frame(again))
            assert ack == {"envelope_id": again["envelope_id"]}
            await bot.wait_for_output("ignoring Slack's retry 1")  # skipped before any listener ran
            assert len(slack.calls_to("views.publish")) == 1

            code = await bot.terminate()
        assert code == 0, bot.output
        assert leaked(bot.output) == []
