"""Fairness under one person's burst, through `python -m bot serve` and signed requests: alice fires a burst
of reads while DigitalOcean takes 1 s per pool listing; a lead's approval, and another person's read, are
served while her burst is still queued behind itself (measured in her reads answered, not in seconds)."""

from __future__ import annotations

from pathlib import Path

import httpx

from bot.demo.slack_standin import SlackStandIn
from bot.sandbox import SANDBOX_TOKEN, SandboxState, create_app
from bot.sandbox.server import serve_in_background
from tests.support.team import ALICE, LEAD1

from .process import approve, bot_env, card_with_buttons, serving, slash_command, thread_says

BURST = 96  # three times the registry's shared slots (32)
SHARED_SLOTS = 32


def alices_reads(slack: SlackStandIn) -> int:
    return sum(1 for hook, _ in slack.webhooks if hook.endswith(ALICE) and hook.startswith("pool-"))


async def test_a_burst_of_reads_does_not_delay_approvals_or_other_peoples_reads(tmp_path: Path) -> None:
    sandbox = SandboxState.seeded()
    async with SlackStandIn() as slack, serve_in_background(create_app(sandbox)) as do_url:
        env = bot_env(tmp_path, slack, DIGITALOCEAN_API_URL=do_url, DIGITALOCEAN_TOKEN=SANDBOX_TOKEN)
        async with (
            serving(env, tmp_path) as bot,
            httpx.AsyncClient(base_url=bot.base_url, timeout=30) as http,
        ):
            create = "create prod-pg api db=app size=15 mode=transaction user=app"
            assert (await slash_command(http, slack, "/pool", create)).status_code == 200
            card = await card_with_buttons(slack, env)

            sandbox.faults.latency(1.0, operation="list_pools", times=None)
            for _ in range(BURST):
                assert (await slash_command(http, slack, "/pool", "list prod-pg")).status_code == 200

            # the lead approves, and another person reads, while alice's burst is queued
            assert (await approve(http, card)).status_code == 200
            assert (await slash_command(http, slack, "/pool", "list prod-pg", user=LEAD1)).status_code == 200

            await thread_says(slack, card, "The change succeeded", timeout=60)
            answered_at_approval = alices_reads(slack)
            await slack.wait_for(
                lambda s: any(hook.endswith(LEAD1) for hook, _ in s.webhooks), timeout=60, what="lead's read"
            )
            answered_at_other_read = alices_reads(slack)

    # Without fairness both waited for at least one full round of alice's reads (32 slots, all hers).
    assert answered_at_approval < SHARED_SLOTS, answered_at_approval
    assert answered_at_other_read < SHARED_SLOTS, answered_at_other_read
