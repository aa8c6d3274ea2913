"""`python -m bot serve` in Socket Mode (SLACK_APP_TOKEN set), against the stand-in speaking Slack's protocol:
`apps.connections.open` → a loopback WebSocket → `hello` → envelopes in, acks out."""

from __future__ import annotations

from pathlib import Path

import httpx

from bot.demo.slack_standin import SlackStandIn, block_action_payload
from bot.slack import ids
from tests.support.team import ALICE, CHANNEL

from .process import APP_TOKEN, LEAD, bot_env, card_with_buttons, leaked, serving, start, thread_says
from .test_serve_http import samples, value


async def test_socket_mode_receives_envelopes_acks_them_and_handles_the_command(tmp_path: Path) -> None:
    async with SlackStandIn() as slack:
        env = bot_env(tmp_path, slack, SLACK_APP_TOKEN=APP_TOKEN)
        del env["SLACK_SIGNING_SECRET"]  # Socket Mode needs no signing secret
        async with (
            serving(env, tmp_path) as bot,
            httpx.AsyncClient(base_url=bot.base_url, timeout=10) as http,
        ):
            await bot.wait_for_output("connected to Slack over Socket Mode")
            await slack.wait_for(lambda s: s.socket_connected, what="the bot's WebSocket")
            assert slack.socket_connections == 1
            assert len(slack.calls_to("apps.connections.open")) == 1

            ready = await http.get("/readyz")
            assert ready.status_code == 200
            # No public HTTP endpoint for Slack in Socket Mode: only health, readiness and metrics.
            assert (await http.post("/slack/events", content="x")).status_code == 404

            envelope = await slack.socket_command(
                "/pool",
                "create prod-pg api db=app size=15 mode=transaction user=app",
                user=ALICE,
                channel=CHANNEL,
                response_url=slack.response_url("socket-command"),
            )
            ack = await slack.wait_for_ack(envelope)
            assert ack["envelope_id"] == envelope
            card = await card_with_buttons(slack, env)
            assert card.text.endswith(": create pool api on prod-pg — pending")

            click = block_action_payload(
                ids.APPROVE,
                card.text.split(":", 1)[0],
                user=LEAD,
                channel=CHANNEL,
                message_ts=card.ts,
                block_id=ids.CARD_ACTIONS_BLOCK,
            )
            clicked = await slack.send_envelope("interactive", click)
            assert (await slack.wait_for_ack(clicked))["envelope_id"] == clicked
            thread = await thread_says(slack, card, "The change succeeded")
            assert any("Created pool api on prod-pg" in line for line in thread)

            metrics = samples((await http.get("/metrics")).text)
            assert value(metrics, "dbops_slack_ack_seconds_count", kind="command") == 1
            assert value(metrics, "dbops_slack_ack_seconds_count", kind="action") == 1
            assert value(metrics, "dbops_requests_total", action="pool.create", state="succeeded") == 1

            code = await bot.terminate()

        assert code == 0, bot.output
        assert not slack.socket_connected  # the bot closed its socket on the way out
        assert leaked(bot.output) == []


async def test_socket_mode_refuses_a_bot_token_where_an_app_token_belongs(tmp_path: Path) -> None:
    async with SlackStandIn() as slack:
        env = bot_env(tmp_path, slack, SLACK_APP_TOKEN="xoxb-not-an-app-token")
        bot = await start("serve", env=env, cwd=tmp_path)
        code = await bot.wait()
    assert code == 2
    assert "SLACK_APP_TOKEN does not look like an app-level token (xapp-…)" in bot.output
    assert "Traceback" not in bot.output
    assert slack.calls_to("apps.connections.open") == []
