"""The lines that link a revert and the request it undoes, in both threads."""

from __future__ import annotations

from bot.slack.renderers.mrkdwn import escape
from bot.workflow import AuditEvent

__all__ = ["revert_of", "reverts_line"]


def revert_of(event: AuditEvent) -> str:
    """The request named by a `revert_requested` event (the revert), as shown in the original's thread."""
    return f"*{escape(str(event.detail.get('revert', '')))}*"


def reverts_line(original_id: str, link: str | None) -> str:
    """The first line in a revert's thread: which request it undoes, linked to that card when known."""
    where = f" (<{link}|its thread>)" if link else ""
    return f":leftwards_arrow_with_hook: This request reverts *{escape(original_id)}*{where}."
