"""`/dbops` with text it does not understand echoes that text: the answer must stay within Slack's 4,000
characters with a clean cut, as `/pool` and `/db` usage errors do (issue 12, defect 5)."""

from __future__ import annotations

from tests.integration.slack.harness import Harness

SLACK_TEXT_GUIDANCE = 4000  # Slack: keep a message's text under 4,000 characters


async def test_a_long_unknown_dbops_command_is_answered_within_slacks_guidance(bot: Harness) -> None:
    response = await bot.command("/dbops", "frobnicate " + "z" * 9000)
    assert response.status_code == 200
    text = response.text
    assert "does not understand" in text
    assert len(text) <= SLACK_TEXT_GUIDANCE, len(text)
    assert text.count("`") % 2 == 0, "no code span is left open"
