"""The App Home tab (`views.publish`): republished when the tab is opened and after every decision taken
from it, with its outcome on top (the manifest turns the Messages tab off, so the Home tab is where the
person looks)."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.renderers.home import home_view
from bot.workflow import ApprovalEngine, Request

__all__ = ["actionable", "publish_home"]


async def actionable(
    engine: ApprovalEngine, user: str, pending: list[Request] | None = None
) -> list[Request]:
    """Pending requests `user` may approve now: not their own, not yet approved by them, not emergencies.

    `pending` saves reading them again when the caller has them already."""
    found = []
    for request in await engine.list_pending() if pending is None else pending:
        if request.is_emergency or user in request.approvers:
            continue
        if request.requester == user and not engine.policy.allow_self_approval:
            continue
        if await engine.may_decide(user, request):
            found.append(request)
    return found


async def publish_home(
    engine: ApprovalEngine, client: AsyncWebClient, user: str, *, note: str | None = None
) -> None:
    await client.views_publish(user_id=user, view=home_view(await actionable(engine, user), note))
