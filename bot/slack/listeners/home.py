"""The App Home tab: the pending requests this person can approve, with the card's Approve and Reject
buttons (`views.publish`). Republished when the tab is opened and after every decision taken from it, with
its outcome on top (the manifest turns the Messages tab off, so the Home tab is where the person looks)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp
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
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import ids
from bot.slack.renderers.blocks import date
from bot.slack.renderers.mrkdwn import clip, escape, mention
from bot.workflow import Request

if TYPE_CHECKING:  # deps.py calls publish_home
    from bot.slack.deps import SlackDeps

__all__ = ["HOME_EMPTY", "actionable", "home_view", "publish_home", "register_home"]

log = logging.getLogger(__name__)

HOME_EMPTY = "Nothing is waiting for your approval."
_MAX_SHOWN = 30  # 3 blocks each, within the 100 blocks of a Home view (with the note and the header)


async def actionable(deps: SlackDeps, user: str, pending: list[Request] | None = None) -> list[Request]:
    """Pending requests `user` may approve now: not their own, not yet approved by them, not emergencies.

    `pending` saves reading them again when the caller has them already."""
    engine = deps.engine
    found = []
    for request in await engine.list_pending() if pending is None else pending:
        if request.is_emergency or user in request.approvers:
            continue
        if request.requester == user and not engine.policy.allow_self_approval:
            continue
        if await engine.may_decide(user, request):
            found.append(request)
    return found


def home_view(requests: list[Request], note: str | None = None) -> dict[str, Any]:
    """The Home view; `note` (mrkdwn, escaped) says how the person's last click there went."""
    blocks: list[Block] = []
    if note:
        blocks += [SectionBlock(text=MarkdownTextObject(text=clip(note, 3000))), DividerBlock()]
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


async def publish_home(
    deps: SlackDeps, client: AsyncWebClient, user: str, *, note: str | None = None
) -> None:
    await client.views_publish(user_id=user, view=home_view(await actionable(deps, user), note))


def register_home(app: AsyncApp, deps: SlackDeps) -> None:
    @app.event("app_home_opened")
    async def opened(event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        user = str(event["user"])
        deps.tasks.spawn(publish_home(deps, client, user), name=f"home of {user}", person=user)
