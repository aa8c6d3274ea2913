"""Break-glass from a channel anyone can make, over HTTP (issue 13, item 4): the slash command's
`channel_name` is never trusted; a name pattern matches only a public channel as `conversations.info`
describes it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.integration.slack.harness import POLICY, Harness, running_bot

ONCALL = "U0ONCALL"
POLICY_WITH_BREAK_GLASS = (
    POLICY
    + f"""
break_glass:
  channels: ["inc-*"]
  on_call: [{ONCALL}]
  countdown_seconds: 11
"""
)
REFUSED = ":warning: Emergency changes are accepted only in incident channels (#inc-*)."
RESIZE = 'resize staging-pg staging-web size=15 emergency="connection storm"'


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Harness]:
    async with running_bot(tmp_path, policy_yaml=POLICY_WITH_BREAK_GLASS) as harness:
        harness.slack.add_channel("C0INCPUB", "inc-db-latency")
        harness.slack.add_channel("G0MINE", "inc-mine", private=True)
        harness.slack.add_channel("C0GENERAL", "general")
        yield harness


@pytest.mark.parametrize(
    ("channel", "payload_name"),
    [
        ("G0MINE", "inc-mine"),  # a private channel the on-call made alone
        ("G0MINE", "privategroup"),  # how Slack sends private channels' names
        ("C0GENERAL", "inc-spoofed"),  # a payload name that is not the channel's
        ("C0UNSEEN", "inc-42"),  # Slack does not show it to the bot (channel_not_found)
    ],
)
async def test_an_emergency_outside_a_confirmed_public_incident_channel_is_refused(
    bot: Harness, channel: str, payload_name: str
) -> None:
    await bot.command("/pool", RESIZE, user=ONCALL, channel=channel, channel_name=payload_name)
    [answer] = await bot.wait_webhook(1)
    assert answer["text"] == REFUSED
    bot.clock.advance(timedelta(seconds=11))
    assert await bot.engine.fire_due() == []
    assert bot.slack.messages == []  # no card, nothing ran
    assert [c for c in bot.sandbox.calls if c.method == "PUT"] == []
    [info] = [c for c in bot.slack.calls if c.method == "conversations.info"]
    assert info.args["channel"] == channel


async def test_a_public_incident_channel_confirmed_by_slack_is_accepted(bot: Harness) -> None:
    await bot.command("/pool", RESIZE, user=ONCALL, channel="C0INCPUB", channel_name="whatever")
    card = await bot.wait_card(1, channel="C0INCPUB")
    request = await bot.request_of(card)
    assert request.is_emergency
