"""The break-glass buttons: **Stop** on an emergency card (anyone in the channel), **Acknowledge review**
on the review message (an approver). Acked at once; the engine decides, conditionally, in the background.
"""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack import ids
from bot.slack.deps import SlackDeps, on_decision

__all__ = ["register_incidents"]


def register_incidents(app: AsyncApp, deps: SlackDeps) -> None:
    on_decision(app, deps, ids.STOP, "stop", lambda engine, rid, user: engine.stop(rid, user))
    on_decision(
        app,
        deps,
        ids.ACK_REVIEW,
        "review",
        lambda engine, rid, user: engine.acknowledge_review(rid, user),
    )
