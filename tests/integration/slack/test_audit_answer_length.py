"""`/dbops audit <cluster>` shows the last 25 events; with rejection reasons (up to 500 characters each,
`bot.workflow.intake.REASON_MAX`) its one answer must still keep within Slack's 4,000-character guidance,
paging or cutting cleanly as listings do (issue 12, defect 5)."""

from __future__ import annotations

from bot.slack import ids
from tests.integration.slack.harness import Harness
from tests.support.team import LEAD1, LEAD2

SLACK_TEXT_GUIDANCE = 4000  # Slack: keep a message's text under 4,000 characters


def _shown(answer: dict[str, object]) -> int:
    blocks = answer.get("blocks") or []
    assert isinstance(blocks, list)
    length = sum(len(b.get("text", {}).get("text", "")) for b in blocks)
    return length + sum(len(e.get("text", "")) for b in blocks for e in b.get("elements", []))


async def test_an_audit_of_rejections_with_long_reasons_keeps_each_answer_within_slacks_guidance(
    bot: Harness,
) -> None:
    for n in range(8):
        await bot.command("/pool", f"resize staging-pg staging-web size={n + 2}")
        request = await bot.request_of(await bot.wait_card(n + 1))
        await bot.click(ids.REJECT, request, user=LEAD2)
        [*_, updated] = await bot.slack.wait_for_calls("views.update", n + 1)
        reason = f"reason {n}: " + "r" * 480
        values = {ids.REASON_BLOCK: {ids.REASON_INPUT: {"type": "plain_text_input", "value": reason}}}
        await bot.submit(
            ids.MODAL_REJECT, values, user=LEAD2, private_metadata=updated.args["view"]["private_metadata"]
        )
        await bot.wait_thread(request, "rejected the request")
    hooks = len(bot.slack.webhooks)
    await bot.command("/dbops", "audit staging-pg", user=LEAD1)
    await bot.wait_webhook(hooks + 1)
    await bot.drain()
    answers = [body for _, body in bot.slack.webhooks[hooks:]]
    assert any("reason 7:" in str(a.get("blocks")) for a in answers), "the newest rejection is shown"
    for answer in answers:
        assert _shown(answer) <= SLACK_TEXT_GUIDANCE, _shown(answer)
