"""Drill 7, security: unsigned, wrongly signed and stale requests → 401; another workspace or app → refused;
a channel the policy does not allow and a non-approver's click → refused; nothing done in every case."""

from __future__ import annotations

import time

import pytest

from bot.demo.slack_standin import block_action_body, sign, slash_command_body
from bot.slack import ids
from bot.store import RequestState
from tests.support.team import CHANNEL, LEAD1, MALLORY

from .figures import Board
from .stack import ELSEWHERE, Stack


@pytest.mark.postgres
async def test_forged_foreign_and_unauthorised_requests_change_nothing(stack: Stack, board: Board) -> None:
    [bot] = await stack.start_bots(1)
    command = slash_command_body("/pool", "resize prod-pg web size=30", user=LEAD1, channel=CHANNEL)
    signed = sign(command, stack.secrets.signing_secret)
    forged = {
        "no signature": {"Content-Type": "application/x-www-form-urlencoded"},
        "wrong signature": sign(command, "not-the-signing-secret"),
        "6-minute-old signature": sign(
            command, stack.secrets.signing_secret, timestamp=int(time.time()) - 6 * 60
        ),
        "signature of another body": {**signed, "X-Slack-Signature": sign("x=1", "s")["X-Slack-Signature"]},
    }
    for what, headers in forged.items():
        answer = await stack.post(bot, command, headers=headers)
        assert answer.status_code == 401, what

    foreign = {
        "another workspace": slash_command_body(
            "/pool", "resize prod-pg web size=30", user=LEAD1, channel=CHANNEL, team_id="T0OTHER"
        ),
        "another app": slash_command_body(
            "/pool", "resize prod-pg web size=30", user=LEAD1, channel=CHANNEL, api_app_id="A0OTHER"
        ),
    }
    for what, body in foreign.items():
        answer = await stack.post(bot, body)
        assert answer.status_code == 403, what
        assert "does not serve" in answer.text or "another Slack app" in answer.text, what

    # a channel the policy does not allow: refused, in plain words, to the asker only
    answer = await stack.command(bot, "resize prod-pg web size=30", channel=ELSEWHERE)
    assert answer.status_code == 200
    await stack.slack.wait_for(lambda s: len(s.webhooks) >= 1, what="the refusal")
    [(_, refusal)] = stack.slack.webhooks
    assert refusal["response_type"] == "ephemeral"
    assert ELSEWHERE in refusal["text"] or "channel" in refusal["text"]
    assert await stack.requests() == []

    # a real request, then a non-approver's click (and a click from another workspace)
    await stack.command(bot, "resize prod-pg web size=30")
    [request] = await stack.carded(1)
    assert (await stack.click(bot, ids.APPROVE, request, user=MALLORY)).status_code == 200
    await stack.slack.wait_for(
        lambda s: any(m.user == MALLORY for m in s.ephemeral), what="the refusal to the non-approver"
    )
    [note] = [m.text for m in stack.slack.ephemeral if m.user == MALLORY]
    assert "not an approver" in note
    other_team = block_action_body(
        ids.APPROVE,
        request.id,
        user=LEAD1,
        channel=CHANNEL,
        message_ts=request.card_ts or "",
        block_id=ids.CARD_ACTIONS_BLOCK,
        team_id="T0OTHER",
    )
    assert (await stack.post(bot, other_team)).status_code == 403
    for headers in forged.values():
        click = stack.click_body(ids.APPROVE, request, LEAD1)
        assert (
            await stack.post(bot, click, headers=headers | {"X-Slack-Signature": "v0=00"})
        ).status_code == 401

    current = await stack.store.get(request.id)
    assert current is not None
    assert current.state is RequestState.PENDING
    assert current.approvals == ()
    writes = [c for c in stack.sandbox.calls if c.method in ("POST", "PUT", "DELETE")]
    assert writes == []
    errors = stack.unexpected_errors()
    board.add(
        "security",
        requests=len(forged) * 2 + len(foreign) + 4,
        faults=len(forged) * 2 + len(foreign) + 3,
        executions=len(writes),
        unexpected_errors=len(errors),
    )
    assert errors == []


@pytest.mark.postgres
async def test_policy_channels_audit_readers_and_intake_bounds_hold_in_a_serve_process(
    stack: Stack, board: Board
) -> None:
    """Issue 13, items 7 and 8, against `python -m bot serve` on PostgreSQL: reads, public listings and
    `/dbops` outside the policy's channels answer nothing; a non-approver reads no audit history; a
    300-character cluster reference is refused in plain words and the refusal is in the audit."""
    [bot] = await stack.start_bots(1)
    elsewhere = [
        ("/pool", "list prod-pg public"),
        ("/db", "list prod-pg"),
        ("/dbops", "audit prod-pg"),
    ]
    for command, text in elsewhere:
        answer = await stack.command(bot, text, command=command, user=LEAD1, channel=ELSEWHERE)
        assert answer.status_code == 200
        assert answer.text == f":warning: Commands are not accepted in this channel; ask in <#{CHANNEL}>."

    await stack.command(bot, "audit prod-pg", command="/dbops", user=MALLORY)
    await stack.command(bot, f"resize {'x' * 300} web size=30", user=LEAD1)
    await stack.slack.wait_for(lambda s: len(s.webhooks) >= 2, what="two answers")
    texts = sorted(body["text"] for _, body in stack.slack.webhooks)
    assert texts == [
        ":warning: Only the people the policy names in `audit_readers` can read audit histories; ask one "
        "of them.",
        ":warning: The cluster name is 300 characters long; at most 255 are accepted. Nothing was changed.",
    ]
    refused = [e for e in await stack.store.events() if e.kind == "refused"]
    assert [e.message for e in refused] == [f"Refused for {LEAD1}: the cluster name is 300 characters long."]
    assert [m for m in stack.slack.messages if m.channel == ELSEWHERE] == []
    assert await stack.requests() == []
    errors = stack.unexpected_errors()
    board.add(
        "security: channels, audit readers, bounds",
        requests=len(elsewhere) + 2,
        faults=len(elsewhere) + 2,
        executions=0,
        unexpected_errors=len(errors),
    )
    assert errors == []
