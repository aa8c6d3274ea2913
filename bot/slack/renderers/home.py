"""The App Home tab's view: the pending requests this person can approve, with the card's Approve and
Reject buttons, and the outcome of their last click there on top."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.slack import ids
from bot.slack.renderers.blocks import MAX_SECTION, date
from bot.slack.renderers.mrkdwn import clip, escape, mention
from bot.workflow import Request

__all__ = ["HOME_EMPTY", "home_view"]

HOME_EMPTY = "Nothing is waiting for your approval."
_MAX_SHOWN = 30  # 3 blocks each, within the 100 blocks of a Home view (with the note and the header)


def home_view(requests: list[Request], note: str | None = None) -> dict[str, Any]:
    """The Home view; `note` (mrkdwn, escaped) says how the person's last click there went."""
    blocks: list[Block] = []
    if note:
        blocks += [SectionBlock(text=MarkdownTextObject(text=clip(note, MAX_SECTION))), DividerBlock()]
    blocks.append(HeaderBlock(text="Waiting for your approval"))
    if not requests:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=HOME_EMPTY)))
    for request in requests[:_MAX_SHOWN]:
        text = (
            f"*{request.id}*: {escape(request.summary)}\n"
            f"Asked by {mention(request.requester)} · {len(request.approvals)} of "
            f"{request.required_approvals} approvals · expires {date(request.expires_at)}"
        )
        blocks += [
            SectionBlock(text=MarkdownTextObject(text=text)),
            ActionsBlock(
                block_id=f"{ids.HOME_ACTIONS_PREFIX}{request.id}",
                elements=[
                    ButtonElement(text="Approve", action_id=ids.APPROVE, value=request.id, style="primary"),
                    ButtonElement(text="Reject", action_id=ids.REJECT, value=request.id, style="danger"),
                ],
            ),
            DividerBlock(),
        ]
    if len(requests) > _MAX_SHOWN:
        more = len(requests) - _MAX_SHOWN
        blocks.append(
            ContextBlock(elements=[MarkdownTextObject(text=f"…and {more} more; see `/dbops requests`.")])
        )
    return {"type": "home", "blocks": [b.to_dict() for b in blocks]}
