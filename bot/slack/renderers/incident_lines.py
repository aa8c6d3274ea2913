"""What the Slack layer says about break-glass changes, reminders, escalations and reviews."""

from __future__ import annotations

import re
from collections.abc import Sequence

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, MarkdownTextObject, SectionBlock

from bot.slack import ids
from bot.slack.renderers.blocks import date
from bot.slack.renderers.mrkdwn import escape, mention
from bot.slack.renderers.quotes import attributed, one_line
from bot.slack.renderers.states import state_word
from bot.workflow import AuditEvent, Request

__all__ = [
    "EMERGENCY_ANNOUNCEMENT",
    "EXPIRED_NOTE",
    "REVIEW_ANNOUNCEMENT",
    "expired_note",
    "incident_line",
    "notify_mentions",
    "review_blocks",
    "review_text",
]


EMERGENCY_ANNOUNCEMENT = (
    ":rotating_light: Emergency change {id}: {summary}, by {requester} ({reason}). It runs without approval "
    "unless stopped. <{link}|See the card>"
)
REVIEW_ANNOUNCEMENT = (
    ":mag: The emergency change {id} ({summary}, by {requester}) ran; an approver must acknowledge its "
    "review. <{link}|See the thread>"
)
EXPIRED_NOTE = (
    ":hourglass: Your request {id} ({summary}) expired before it had enough approvals; nothing was changed. "
    "Ask again if it is still needed."
)

_USER = re.compile(r"^[UW][A-Z0-9]+$")
_GROUP = re.compile(r"^S[A-Z0-9]+$")


def notify_mentions(entries: Sequence[object]) -> str:
    """`<@U…>` for users and `<!subteam^S…>` for user groups; anything else is left out."""
    out = []
    for entry in entries:
        text = str(entry)
        if _USER.match(text):
            out.append(mention(text))
        elif _GROUP.match(text):
            out.append(f"<!subteam^{text}>")
    return " ".join(out) or "Approvers"


def _notify(event: AuditEvent) -> str:
    entries = event.detail.get("notify") or []
    return notify_mentions(entries if isinstance(entries, list) else [])


def incident_line(request: Request, event: AuditEvent) -> str | None:
    """The thread reply for a break-glass, reminder, escalation or review event (None for others)."""
    kind = event.kind
    if kind == "countdown_over":
        return ":rotating_light: Nobody stopped the emergency change; it runs now, without approval."
    if kind == "emergency_revoked":
        why = str(event.detail.get("reason") or "")
        return (
            ":octagonal_sign: The emergency change did not run: the policy no longer allows it. "
            f"{one_line(why)} Nothing was changed."
        )
    if kind == "superseded":
        by = escape(str(event.detail.get("by") or "an emergency change"))
        return (
            f":rotating_light: {mention(event.actor)}'s emergency change {by} on the same resource "
            "supersedes this request, so it was cancelled. Nothing was changed by it."
        )
    if kind == "stopped":
        return f":octagonal_sign: {mention(event.actor)} stopped the emergency change. Nothing was changed."
    if kind == "reminded":
        missing = request.approvals_missing
        return (
            f":bell: {_notify(event)}: {request.id} is still waiting for {missing} approval"
            f"{'s' if missing != 1 else ''}; it expires {date(request.expires_at)}."
        )
    if kind == "escalated":
        return _escalated_line(request, event)
    if kind == "review_reminded":
        return f":mag: {_notify(event)}: the review of the emergency change {request.id} is still open."
    if kind == "review_acknowledged":
        return f":white_check_mark: {mention(event.actor)} acknowledged the review. It is closed."
    return None


def _escalated_line(request: Request, event: AuditEvent) -> str:
    """Says who may now decide, as `ApprovalEngine.may_decide` does: escalation widens only the top-level
    approvers, and every matching cluster rule's approvers still apply."""
    if event.detail.get("widened") is False:
        return (
            f":mega: {_notify(event)}: nobody has approved {request.id} yet. Escalation adds no approvers "
            f"for {request.action.value}, which names its own; you may approve or reject it."
        )
    also = event.detail.get("also") or []
    if isinstance(also, list) and also:
        return (
            f":mega: Escalated to {_notify(event)}: nobody has approved {request.id} yet. Those of you also "
            f"among the approvers for {escape(request.cluster_name)} ({notify_mentions(also)}) may approve "
            "or reject it now."
        )
    return (
        f":mega: Escalated to {_notify(event)}: nobody has approved {request.id} yet. "
        "You may approve or reject it now."
    )


def review_text(request: Request, event: AuditEvent) -> str:
    return (
        f":mag: {_notify(event)}: the emergency change {request.id} ran ({state_word(request.state)}) "
        f"without approval, by {mention(request.requester)}. An approver must review it and acknowledge.\n"
        + attributed("Reason given", request.requester, request.emergency_reason or "")
    )


def review_blocks(request: Request, event: AuditEvent) -> list[Block]:
    return [
        SectionBlock(text=MarkdownTextObject(text=review_text(request, event))),
        ActionsBlock(
            block_id=ids.REVIEW_ACTIONS_BLOCK,
            elements=[ButtonElement(text="Acknowledge review", action_id=ids.ACK_REVIEW, value=request.id)],
        ),
    ]


def expired_note(request: Request) -> str:
    """What the requester alone is told when their request expired."""
    return EXPIRED_NOTE.format(id=request.id, summary=escape(request.summary))
