"""The approval card as people see it, rendered through slack_sdk's `to_dict()` (Slack's limits)."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.models.blocks import Block, DividerBlock

from bot.ops.plan import ExecutionResult, Outcome, PoolSnapshot
from bot.slack import ids
from bot.slack.renderers.blocks import (
    MAX_MESSAGE_BLOCKS,
    card_blocks,
    card_text,
    check_message,
    sentence,
    state_line,
)
from bot.store.records import Failure, RequestState
from tests.unit.slack.factories import approval, drop_plan, request, resize_plan


def render(blocks: list[Block]) -> list[dict[str, Any]]:
    return [b.to_dict() for b in blocks]


def mrkdwn_texts(node: object) -> list[str]:
    """Every mrkdwn text in a rendered payload (what Slack parses for mentions and links)."""
    if isinstance(node, list):
        return [t for item in node for t in mrkdwn_texts(item)]
    if isinstance(node, dict):
        if node.get("type") == "mrkdwn":
            return [str(node["text"])]
        return [t for value in node.values() for t in mrkdwn_texts(value)]
    return []


def buttons(blocks: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [
        (e["text"]["text"], e["action_id"], e["value"])
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
    ]


def test_pending_card_shows_plan_capacity_requester_and_buttons() -> None:
    rendered = render(card_blocks(request()))
    assert rendered[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "R-7K3F9Q: resize pool web on prod-pg", "emoji": True},
    }
    assert rendered[1]["text"]["text"] == ":hourglass_flowing_sand: *Waiting for 1 more approval* (0 of 1)"
    fields = [f["text"] for f in rendered[2]["fields"]]
    assert fields[0] == "*Cluster*\nprod-pg"
    assert fields[1] == "*Pool*\n`web`"
    assert fields[2] == "*Requested by*\n<@U0ALICE>"
    assert fields[3] == "*Approvals* (0 of 1)\nnobody yet"
    assert fields[4].startswith("*Expires*\n<!date^1736946000^")
    assert fields[4].endswith("|2025-01-15 13:00 UTC>")
    assert rendered[3]["text"]["text"] == (
        "*Plan*\n• size: `20` → `25`\n• mode: `transaction` (unchanged)\n• db: `app` (unchanged)\n"
        "• user: `app` (unchanged)\nBackend connections: 30 of 97 used → 35 of 97 (62 left)"
    )
    assert buttons(rendered) == [
        ("Approve", ids.APPROVE, "R-7K3F9Q"),
        ("Reject", ids.REJECT, "R-7K3F9Q"),
        ("Cancel", ids.CANCEL, "R-7K3F9Q"),
    ]
    assert card_text(request()) == "R-7K3F9Q: resize pool web on prod-pg — pending"


def test_partly_approved_card_keeps_buttons_and_names_who_approved() -> None:
    rendered = render(
        card_blocks(request(drop_plan(), required_approvals=2, approvals=(approval("U0LEAD1"),)))
    )
    assert rendered[1]["text"]["text"] == ":hourglass_flowing_sand: *Waiting for 1 more approval* (1 of 2)"
    assert rendered[2]["fields"][3]["text"] == "*Approvals* (1 of 2)\n<@U0LEAD1>"
    assert rendered[3]["text"]["text"] == "*Plan*\n• name: `orders`"
    assert (
        rendered[4]["text"]["text"]
        == ":warning: *Pools that use this database (they would break):* `reports`"
    )
    assert rendered[5]["text"]["text"] == ":warning: Pool reports uses database orders and would break."
    assert [b[0] for b in buttons(rendered)] == ["Approve", "Reject", "Cancel"]


@pytest.mark.parametrize(
    ("overrides", "line"),
    [
        ({"state": RequestState.APPROVED}, ":white_check_mark: *Approved* — the change is about to run."),
        ({"state": RequestState.EXECUTING}, ":gear: *Running* on DigitalOcean…"),
        ({"state": RequestState.SUCCEEDED}, ":white_check_mark: *Succeeded* — the change was made."),
        ({"state": RequestState.FAILED}, ":x: *Failed* — the change did not succeed."),
        (
            {
                "state": RequestState.REJECTED,
                "rejected_by": "U0LEAD1",
                "rejection_reason": "not <!here> today",
            },
            ":no_entry_sign: *Rejected* by <@U0LEAD1> — nothing was changed.\n"
            "*Reason given by <@U0LEAD1>:*\n> not &lt;!here&gt; today",
        ),
        (
            {"state": RequestState.CANCELLED, "cancelled_by": "U0ALICE"},
            ":heavy_multiplication_x: *Cancelled* by <@U0ALICE> — nothing was changed.",
        ),
        (
            {"state": RequestState.EXPIRED},
            ":hourglass: *Expired* before it was approved — nothing was changed.",
        ),
    ],
)
def test_every_state_has_its_line_and_only_pending_has_buttons(overrides: dict[str, Any], line: str) -> None:
    req = request(**overrides)
    assert state_line(req) == line
    blocks = card_blocks(req)
    rendered = render(blocks)
    assert rendered[1]["text"]["text"] == line
    assert buttons(rendered) == []
    assert isinstance(blocks[-2], DividerBlock)


def test_failed_card_gives_the_error_in_plain_words_with_status_and_request_id() -> None:
    req = request(
        state=RequestState.FAILED,
        failure=Failure(message="DigitalOcean refused the bot's token", status=401, request_id="req-<1>"),
    )
    rendered = render(card_blocks(req))
    assert rendered[-3]["text"]["text"] == (
        "DigitalOcean refused the bot's token. DigitalOcean answered HTTP 401. "
        "DigitalOcean request_id: `req-&lt;1&gt;`."
    )


def test_succeeded_card_shows_what_was_observed() -> None:
    req = request(
        state=RequestState.SUCCEEDED,
        result=ExecutionResult(
            outcome=Outcome.APPLIED,
            observed=PoolSnapshot(size=25, mode="transaction", db="app", user="app"),
            message="pool web now has size 25",
        ),
    )
    assert render(card_blocks(req))[-3]["text"]["text"] == "Pool web now has size 25."


def test_user_supplied_names_can_never_ping_anyone() -> None:
    plan = resize_plan(pool="<!channel>")
    req = request(plan, cluster_name="prod-pg")
    shown = "\n".join(mrkdwn_texts(render(card_blocks(req))))
    assert "<!channel>" not in shown
    assert "&lt;!channel&gt;" in shown
    assert "<!channel>" not in card_text(req)
    # the header is plain text: shown as typed, never parsed
    header = render(card_blocks(req))[0]["text"]
    assert header["type"] == "plain_text"
    assert header["text"] == "R-7K3F9Q: resize pool <!channel> on prod-pg"


def test_a_very_long_name_still_renders_within_slacks_limits() -> None:
    req = request(resize_plan(pool="p" * 400))
    rendered = render(card_blocks(req))  # to_dict() raises on any over-long field
    assert len(rendered[0]["text"]["text"]) == 150
    assert len(rendered) <= MAX_MESSAGE_BLOCKS


def test_more_than_fifty_blocks_is_refused() -> None:
    with pytest.raises(ValueError, match="a message can hold 50 blocks, this one has 51"):
        check_message([DividerBlock() for _ in range(51)])


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("size 120 exceeds the capacity left", "Size 120 exceeds the capacity left."),
        ("Done.", "Done."),
        ("", ""),
    ],
)
def test_sentence(raw: str, shown: str) -> None:
    assert sentence(raw) == shown
