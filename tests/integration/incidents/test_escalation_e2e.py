"""Escalation over HTTP (issue 13, item 5): it widens who decides only within the rules that still apply,
and the thread, Approve and Reject all follow the one rule (`ApprovalEngine.may_decide`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.slack import ids
from bot.store import Request, RequestState
from tests.integration.slack.harness import POLICY, Harness, running_bot
from tests.support.team import LEAD1, LEAD2

MANAGER = "U0MANAGER"
MANAGER2 = "U0MANAGER2"
PROD_LEAD = "U0PRODLEAD"
ESCALATING_POLICY = (
    POLICY
    + f"""
clusters:
  "prod-*": {{approvals: 2, approvers: [{LEAD1}, {LEAD2}, {PROD_LEAD}]}}
escalation:
  after_minutes: 45
  approvers: [{MANAGER}, {MANAGER2}, {PROD_LEAD}]
"""
)


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Harness]:
    async with running_bot(tmp_path, policy_yaml=ESCALATING_POLICY) as harness:
        yield harness


async def _escalated(bot: Harness, text: str) -> Request:
    before = len(bot.cards())
    await bot.command("/pool", text)
    request = await bot.request_of(await bot.wait_card(before + 1))
    bot.clock.advance(timedelta(minutes=45))
    assert f"escalated {request.id}" in await bot.engine.fire_due()
    await bot.wait_thread(request, ":mega:")
    return await bot.engine.get(request.id)


async def test_escalation_does_not_let_managers_outside_a_cluster_rule_approve(bot: Harness) -> None:
    request = await _escalated(bot, "resize prod-pg web size=30")
    assert bot.thread(request)[-1] == (
        f":mega: Escalated to <@{MANAGER}> <@{MANAGER2}> <@{PROD_LEAD}>: nobody has approved {request.id} "
        f"yet. Those of you also among the approvers for prod-pg (<@{LEAD1}> <@{LEAD2}> <@{PROD_LEAD}>) may "
        "approve or reject it now."
    )
    for manager in (MANAGER, MANAGER2):
        await bot.click(ids.APPROVE, request, user=manager)
        await bot.wait_ephemeral(manager, "You are not an approver for pool.resize on prod-pg.")
    assert (await bot.engine.get(request.id)).approvals == ()  # each was told after the engine decided
    # in both the cluster rule and the escalation list, but not in the top-level approvers: counted now
    await bot.click(ids.APPROVE, request, user=PROD_LEAD)
    await bot.wait_ephemeral(PROD_LEAD, f"Your approval of {request.id} is counted; it needs 1 more.")
    assert [c for c in bot.sandbox.calls if c.method == "PUT"] == []


async def test_an_escalation_approver_told_they_may_reject_can_reject(bot: Harness) -> None:
    request = await _escalated(bot, "resize staging-pg staging-web size=13")
    assert bot.thread(request)[-1].endswith("You may approve or reject it now.")
    await bot.click(ids.REJECT, request, user=MANAGER)
    [updated] = await bot.slack.wait_for_calls("views.update")
    assert [b.get("block_id") for b in updated.args["view"]["blocks"]][-1] == ids.REASON_BLOCK
    values = {ids.REASON_BLOCK: {ids.REASON_INPUT: {"type": "plain_text_input", "value": "not now"}}}
    meta = updated.args["view"]["private_metadata"]
    await bot.submit(ids.MODAL_REJECT, values, user=MANAGER, private_metadata=meta)
    await bot.wait_thread(request, "rejected the request")
    rejected = await bot.engine.get(request.id)
    assert (rejected.state, rejected.rejected_by) == (RequestState.REJECTED, MANAGER)
