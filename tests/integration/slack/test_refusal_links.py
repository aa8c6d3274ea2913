"""Refusals that name channels show them as Slack channel links, not as escaped text people read literally."""

from __future__ import annotations

from pathlib import Path

from tests.integration.slack.harness import running_bot
from tests.support.team import CHANNEL, LEAD1, policy_yaml

ELSEWHERE = "C0ELSEWHERE"


async def test_a_change_asked_outside_the_policy_channels_links_to_them(tmp_path: Path) -> None:
    async with running_bot(tmp_path, policy_yaml=policy_yaml(channels=[CHANNEL])) as bot:
        response = await bot.command("/pool", "resize prod-pg web size=30", user=LEAD1, channel=ELSEWHERE)
        assert response.status_code == 200
        [answer] = await bot.wait_webhook()
        assert answer["response_type"] == "ephemeral"
        assert answer["text"] == (
            f":warning: Database changes are not accepted in this channel; ask in <#{CHANNEL}>."
        )
        assert bot.slack.calls_to("chat.postMessage") == []


async def test_an_emergency_outside_the_incident_channels_links_to_them(tmp_path: Path) -> None:
    policy = policy_yaml() + "break_glass: {channels: [C0INC42, inc-*], on_call: [U0ONCALL]}\n"
    async with running_bot(tmp_path, policy_yaml=policy) as bot:
        await bot.command("/pool", 'resize prod-pg web size=30 emergency="storm"', user="U0ONCALL")
        [answer] = await bot.wait_webhook()
        assert answer["text"] == (
            ":warning: Emergency changes are accepted only in incident channels (<#C0INC42>, #inc-*)."
        )
        assert bot.slack.calls_to("chat.postMessage") == []
