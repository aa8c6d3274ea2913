"""The **Request again** offer: the thread line of an interrupted change that failed because nothing was
applied and its plan no longer held, with a button that opens the same change as a new request."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, SectionBlock

from bot.slack import ids
from bot.slack.renderers import messages
from bot.slack.renderers.mrkdwn import clip
from bot.workflow import REQUEST_AGAIN, AuditEvent, Request, RequestState

__all__ = ["offers_request_again", "request_again_blocks", "request_again_text"]


def offers_request_again(request: Request, event: AuditEvent) -> bool:
    """Whether the engine said this failure may be asked for again (`REQUEST_AGAIN` in its detail)."""
    return request.state is RequestState.FAILED and bool((event.detail or {}).get(REQUEST_AGAIN))


def request_again_text(line: str) -> str:
    """The thread line (already escaped) with the offer after it."""
    return clip(f"{line} {messages.REQUEST_AGAIN_OFFER}")


def request_again_blocks(request: Request, line: str) -> list[dict[str, Any]]:
    """The line and its button; the button's value is the failed request's id, nothing else."""
    return [
        SectionBlock(text=request_again_text(line)).to_dict(),
        ActionsBlock(
            block_id=ids.REQUEST_AGAIN_BLOCK,
            elements=[ButtonElement(text="Request again", action_id=ids.REQUEST_AGAIN, value=request.id)],
        ).to_dict(),
    ]
