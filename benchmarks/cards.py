"""Which of the stand-in's messages are dbops cards a person can click.

The card is posted once, complete, with its buttons, so it is clickable as soon as it is posted (a click that
lands before the engine has stored the card's ts is drawn when it has)."""

from __future__ import annotations

from bot.demo.slack_standin import Message, SlackStandIn
from bot.slack import ids

__all__ = ["posted_cards"]


def _has_approve(message: Message) -> bool:
    return any(
        element.get("action_id") == ids.APPROVE
        for block in message.blocks
        if block.get("type") == "actions"
        for element in block.get("elements", [])
    )


def posted_cards(slack: SlackStandIn) -> list[Message]:
    """The top-level messages that are cards with their Approve button, oldest first."""
    return [m for m in slack.messages if m.thread_ts is None and _has_approve(m)]
