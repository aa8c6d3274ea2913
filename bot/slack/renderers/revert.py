"""The lines that link a revert and the request it undoes, in both threads."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.ops.changes import Action
from bot.ops.plan import Plan
from bot.slack import ids
from bot.slack.renderers import messages
from bot.slack.renderers.mrkdwn import escape
from bot.workflow import AuditEvent, Request
from bot.workflow.revert import is_revertible

__all__ = ["drop_is_final", "revert_actions", "revert_drop_form", "revert_of", "reverts_line"]


def revert_drop_form(original: Request, channel: str) -> View:
    """The revert of a `db.create` is a drop: its own typed confirmation, as the drop form asks for.
    `private_metadata` keeps the original's id and the channel the revert is asked in."""
    db = original.plan.target
    ask = f"Revert *{escape(original.id)}*: drop database `{escape(db)}` on {escape(original.cluster_name)}?"
    return View(
        type="modal",
        callback_id=ids.MODAL_REVERT_DROP,
        title="Revert: drop database",
        submit="Ask to drop",
        close="Cancel",
        private_metadata=json.dumps({"r": original.id, "c": channel}),
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=ask)),  # names within intake's bounds
            InputBlock(
                block_id=ids.CONFIRM_BLOCK,
                label="Type the database's name to confirm",
                element=PlainTextInputElement(action_id=ids.CONFIRM_INPUT, max_length=63),
            ),
        ],
    )


def drop_is_final(plan: Plan, when: str | None) -> str | None:
    """What a drop's card says before anyone approves: it cannot be undone, the latest backup (`when`, as
    the card shows a date) and what a restore costs. None for any other plan."""
    if plan.action is not Action.DB_DROP:
        return None
    cluster = escape(plan.cluster_name)
    backup = (
        messages.DROP_LATEST_BACKUP.format(cluster=cluster, at=when)
        if when
        else messages.DROP_NO_BACKUP.format(cluster=cluster)
    )
    return messages.DROP_IS_FINAL.format(backup=backup)


def revert_actions(request: Request, now: datetime | None = None) -> list[Block]:
    """The Revert button of a succeeded card while its window is open (drawn by the window's end too, so a
    card redrawn late never offers it)."""
    if not is_revertible(request, now or datetime.now(UTC)):
        return []
    assert request.revert_until is not None
    button = ButtonElement(
        text="Revert",
        action_id=ids.REVERT,
        value=request.id,
        confirm=ConfirmObject(
            title="Revert this change?",
            text=f"This opens a new request that undoes {request.id}; it needs approval like any other.",
            confirm="Open the request",
            deny="Keep it",
        ),
    )
    return [ActionsBlock(block_id=ids.CARD_ACTIONS_BLOCK, elements=[button])]


def revert_of(event: AuditEvent) -> str:
    """The request named by a `revert_requested` event (the revert), as shown in the original's thread."""
    return f"*{escape(str(event.detail.get('revert', '')))}*"


def reverts_line(original_id: str, link: str | None) -> str:
    """The first line in a revert's thread: which request it undoes, linked to that card when known."""
    where = f" (<{link}|its thread>)" if link else ""
    return f":leftwards_arrow_with_hook: This request reverts *{escape(original_id)}*{where}."
