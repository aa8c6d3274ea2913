"""Drill 7, secrets: the DigitalOcean token, the Slack bot token and the signing secret never appear in any
log, error, answer, Slack message or audit event captured during the drills (this test runs last; alone, it
runs a small drill of its own first)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.slack import ids
from tests.support.team import LEAD1

from .figures import Board
from .stack import CAPTURED, running_stack


@pytest.mark.postgres
async def test_no_secret_appears_in_anything_captured(tmp_path: Path, board: Board) -> None:
    async with running_stack(tmp_path) as stack:
        [bot] = await stack.start_bots(1)
        stack.sandbox.rotate_token("dop_v1_rotated")  # every DigitalOcean call now fails with 401
        await stack.command(bot, "list prod-pg")
        await stack.command(bot, "resize prod-pg web size=26")
        await stack.slack.wait_for(lambda s: len(s.webhooks) >= 2, what="two answers")
        stack.sandbox.rotate_token(stack.secrets.digitalocean_token)
        await stack.command(bot, "resize prod-pg web size=26")
        [request] = await stack.carded(1)
        await stack.click(bot, ids.APPROVE, request, user=LEAD1)
        await stack.settled([request.id])
    assert len(CAPTURED.secrets) >= 3
    assert sum(len(text) for _, text in CAPTURED.texts) > 10_000
    leaks = CAPTURED.leaks()
    board.add("secrets", requests=len(CAPTURED.texts), unexpected_errors=len(leaks))
    assert leaks == []
