"""The workspace and app checks of `python -m bot serve`, through signed HTTP requests: a failed `bots.info`
does not switch the app check off (requests are refused until it answers), and a payload's own
`is_enterprise_install` does not let another workspace in."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import urlencode

import httpx

from bot.demo.slack_standin import SlackStandIn, sign, slash_command_body, slash_command_fields
from tests.support.team import ALICE, CHANNEL

from .process import SIGNING_SECRET, bot_env, leaked, serving

LIMIT = 30.0  # the longest the polling below may take before the test fails


async def post(http: httpx.AsyncClient, body: str) -> httpx.Response:
    return await http.post("/slack/events", content=body, headers=sign(body, SIGNING_SECRET))


async def test_a_failed_bots_info_keeps_refusing_other_apps_and_is_asked_again(tmp_path: Path) -> None:
    other_app = slash_command_body("/pool", "list prod-pg", user=ALICE, channel=CHANNEL, api_app_id="A0OTHER")
    async with SlackStandIn() as slack:
        slack.fail("bots.info", "internal_error", times=1)
        env = bot_env(tmp_path, slack)
        async with (
            serving(env, tmp_path) as bot,
            httpx.AsyncClient(base_url=bot.base_url, timeout=10) as http,
        ):
            first = await post(http, other_app)
            assert first.status_code == 503  # the app id is unknown: refused, not waved through
            assert "try again" in first.text

            # bots.info is asked again after its backoff, and from then on the other app is told so
            deadline = asyncio.get_running_loop().time() + LIMIT
            while (answer := await post(http, other_app)).status_code != 403:
                assert answer.status_code == 503, answer.text
                assert asyncio.get_running_loop().time() < deadline, "bots.info was never asked again"
                await asyncio.sleep(0.05)
            assert "another Slack app" in answer.text
            assert len(slack.calls_to("bots.info")) == 2

            own = slash_command_body(
                "/pool", "list prod-pg", user=ALICE, channel=CHANNEL, response_url=slack.response_url("own")
            )
            assert (await post(http, own)).status_code == 200
            await slack.wait_for(lambda s: len(s.webhooks) == 1, what="the answer to our own app's command")
            assert slack.webhooks[0][0] == "own"  # the other app's commands were never answered
            await bot.terminate()
    assert leaked(bot.output) == []


async def test_a_payload_saying_it_is_an_enterprise_install_is_still_checked_by_team(tmp_path: Path) -> None:
    fields = slash_command_fields(
        "/pool", "list prod-pg", user=ALICE, channel=CHANNEL, team_id="T0OTHER", response_url=""
    )
    # Slack's org-wide payload shape: the organisation's id and the flag, from another workspace
    forged = urlencode({**fields, "enterprise_id": "E0OTHER", "is_enterprise_install": "true"})
    async with SlackStandIn() as slack:
        env = bot_env(tmp_path, slack)
        async with (
            serving(env, tmp_path) as bot,
            httpx.AsyncClient(base_url=bot.base_url, timeout=10) as http,
        ):
            answer = await post(http, forged)
            assert answer.status_code == 403
            assert "does not serve" in answer.text
            await bot.terminate()
    assert slack.webhooks == []
