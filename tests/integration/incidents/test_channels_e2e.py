"""Every command obeys the policy's `channels`, and `audit_readers` says who reads audit histories (issue 13,
item 7), over HTTP: reads, `public` listings, forms and `/dbops` answer nothing outside the channels."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.slack import ids
from tests.integration.slack.harness import Harness, running_bot
from tests.support.team import ALICE, CHANNEL, LEAD1, MALLORY, policy_yaml

ELSEWHERE = "C0RANDOM"
REFUSAL = f":warning: Commands are not accepted in this channel; ask in <#{CHANNEL}>."


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Harness]:
    async with running_bot(tmp_path, policy_yaml=policy_yaml(channels=[CHANNEL])) as harness:
        yield harness


@pytest.mark.parametrize(
    ("command", "text"),
    [
        ("/pool", "list staging-pg public"),
        ("/pool", "show staging-pg staging-web"),
        ("/db", "list staging-pg"),
        ("/pool", "create"),  # the form
        ("/dbops", "audit staging-pg"),
        ("/dbops", "requests"),
    ],
)
async def test_outside_the_policy_channels_every_command_is_refused(
    bot: Harness, command: str, text: str
) -> None:
    answer = await bot.command(command, text, user=LEAD1, channel=ELSEWHERE, channel_name="random")
    assert answer.status_code == 200
    assert answer.text == REFUSAL
    await bot.drain()
    assert bot.slack.webhooks == []  # nothing posted, privately or in the channel
    assert bot.slack.messages == []
    assert [c.method for c in bot.slack.calls if c.method.startswith("views.")] == []


async def test_in_a_policy_channel_a_public_listing_is_posted(bot: Harness) -> None:
    await bot.command("/pool", "list staging-pg public", user=ALICE)
    [answer] = await bot.wait_webhook(1)
    assert answer["response_type"] == "in_channel"


async def test_audit_histories_are_for_approvers_by_default_and_refs_are_bounded(bot: Harness) -> None:
    await bot.command("/pool", "resize staging-pg staging-web size=12")
    request = await bot.request_of(await bot.wait_card())
    await bot.click(ids.REJECT, request, user=LEAD1)
    await bot.slack.wait_for_calls("views.update")
    await bot.command("/dbops", f"audit {request.id}", user=MALLORY)
    [refused] = await bot.wait_webhook(1)
    assert refused["text"] == (
        ":warning: Only the people the policy names in `audit_readers` can read audit histories; ask one "
        "of them."
    )
    await bot.command("/dbops", "audit staging-pg", user=ALICE)
    assert (await bot.wait_webhook(2))[-1]["text"] == refused["text"]
    await bot.command("/dbops", f"audit {request.id}", user=LEAD1)
    assert (await bot.wait_webhook(3))[-1]["text"].startswith(f"History of {request.id}: 1 event(s)")
    await bot.command("/dbops", f"audit {'c' * 300}", user=LEAD1)
    assert (await bot.wait_webhook(4))[-1]["text"] == (
        ":warning: The cluster name is 300 characters long; at most 255 are accepted. Nothing was changed."
    )


async def test_audit_readers_names_who_reads_histories(tmp_path: Path) -> None:
    policy = policy_yaml() + f"audit_readers: [{MALLORY}]\n"
    async with running_bot(tmp_path, policy_yaml=policy) as bot:
        await bot.command("/dbops", "audit staging-pg", user=MALLORY)
        assert (await bot.wait_webhook(1))[-1]["text"] == "Nothing is recorded on staging-pg."
        await bot.command("/dbops", "audit staging-pg", user=LEAD1)
        assert "audit_readers" in (await bot.wait_webhook(2))[-1]["text"]
