"""Drill 4, Slack faults: `chat.postMessage` rate limited or failing, a request delivered again with
`X-Slack-Retry-Num`, a click on a card that is already done → no duplicate work, a clear answer."""

from __future__ import annotations

import pytest

from bot.demo.slack_standin import slash_command_body
from bot.slack import ids
from bot.store import RequestState
from tests.support.team import CHANNEL, LEAD1, LEAD2

from .figures import Board
from .stack import Stack, until

# Logged (with its traceback) when Slack refuses a thread line: the injected fault, not a bug.
EXPECTED = ("the notifier failed",)


@pytest.mark.postgres
async def test_slack_faults_cause_no_duplicate_work(stack: Stack, board: Board) -> None:
    [bot] = await stack.start_bots(1)
    faults = 0

    # The card's chat.postMessage is rate limited twice: the bot waits Retry-After and posts it once.
    stack.slack.fail("chat.postMessage", "ratelimited", status=429, retry_after=1, times=2)
    faults += 2
    assert (await stack.command(bot, "resize prod-pg web size=25")).status_code == 200
    [resize] = await stack.carded(1)
    assert len(stack.slack.top_level(CHANNEL)) == 1

    # The same command delivered again by Slack: acked, nothing asked twice.
    answer = await stack.post(
        bot,
        _command_body(stack, "resize prod-pg reports size=12"),
        retry=1,
    )
    faults += 1
    assert answer.status_code == 200
    assert len(await stack.requests()) == 1

    # Approve delivered three times (the original and two retries): counted and run once.
    for retry in (None, 1, 2):
        assert (await stack.click(bot, ids.APPROVE, resize, user=LEAD1, retry=retry)).status_code == 200
    faults += 2
    [done] = await stack.settled([resize.id])
    assert done.state is RequestState.SUCCEEDED
    assert len(done.approvals) == 1

    # A click on the card that is already done: a clear answer, nothing run again.
    assert (await stack.click(bot, ids.APPROVE, done, user=LEAD2)).status_code == 200
    await stack.slack.wait_for(lambda s: any(m.user == LEAD2 for m in s.ephemeral), what="the answer")
    [note] = [m.text for m in stack.slack.ephemeral if m.user == LEAD2]
    assert note == f"{resize.id} has already been carried out."
    faults += 1

    # chat.postMessage failing for a thread line: the change still runs once and the card shows it.
    assert (await stack.command(bot, "create prod-pg slack_fault_db", command="/db")).status_code == 200
    [_, create] = await stack.carded(2)
    stack.slack.fail("chat.postMessage", "fatal_error", times=1)
    faults += 1
    assert (await stack.click(bot, ids.APPROVE, create, user=LEAD1)).status_code == 200
    [created] = await stack.settled([create.id])
    assert created.state is RequestState.SUCCEEDED

    async def card_final() -> bool:
        return "succeeded" in stack.slack.message(CHANNEL, created.card_ts or "").text

    await until(card_final, what="the card to show the result")

    writes = [c for c in stack.sandbox.calls if c.method in ("POST", "PUT", "DELETE")]
    executing = [e for e in await stack.store.events() if e.kind == "executing"]
    errors = [line for line in stack.unexpected_errors() if not any(e in line for e in EXPECTED)]
    board.add(
        "slack_faults",
        requests=2,
        faults=faults,
        executions=len(executing),
        duplicates=len(writes) - 2,
        unexpected_errors=len(errors),
    )
    assert len(writes) == 2
    assert len(executing) == 2
    assert errors == []


def _command_body(stack: Stack, text: str) -> str:
    return slash_command_body(
        "/pool", text, user="U0ALICE", channel=CHANNEL, response_url=stack.slack.response_url()
    )
