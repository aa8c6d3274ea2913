"""The approval card: posting it for a new request, and its Approve / Reject / Cancel buttons.

Every click is acked at once; the engine's work runs as a tracked background task. The engine counts an
approver once and executes at most once, so double clicks, concurrent clicks and Slack's retries are safe.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.workflow import ApprovalStatus, NotPending, Request, RequestNotFound, RequestState, WorkflowError

from . import ids, messages
from .blocks import card_blocks, card_text
from .deps import SlackDeps, clicked, on_decision, reporter, spawn_click, tell
from .home import publish_home
from .mrkdwn import escape
from .views import FormMeta, loading_view, message_view, reject_form

__all__ = ["post_card", "register_approvals"]

log = logging.getLogger(__name__)


async def post_card(
    deps: SlackDeps, client: AsyncWebClient, request: Request, *, thread_ts: str | None = None
) -> bool:
    """Post the card of a new request in its channel and store its ts through the engine.

    When Slack refuses (not_in_channel, channel_not_found…), the request is cancelled so it holds no
    resource, and the requester is told why. Returns whether the card is up.
    """
    try:
        response = await client.chat_postMessage(
            channel=request.channel, text=card_text(request), blocks=card_blocks(request)
        )
    except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:
        code = str(error.response.get("error")) if isinstance(error, SlackApiError) else type(error).__name__
        log.warning("could not post the card of %s: %s", request.id, code, extra={"request_id": request.id})
        try:
            await deps.engine.cancel(request.id, request.requester)
        except WorkflowError as refused:
            log.warning("could not cancel %s after the card failed: %s", request.id, refused)
        await tell(
            client,
            request.channel,
            request.requester,
            messages.CARD_NOT_POSTED.format(error=escape(code), id=request.id),
        )
        return False
    ts = str(response["ts"])
    channel = str(response.get("channel") or request.channel)
    carded = await deps.engine.set_card(request.id, channel, ts)
    await deps.notifier.show_card(carded)  # a click may already have changed it meanwhile
    return True


def register_approvals(app: AsyncApp, deps: SlackDeps) -> None:
    @app.action(ids.APPROVE)
    async def approve(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        request_id, user, channel = clicked(body)

        async def work() -> None:
            try:
                outcome = await deps.engine.approve(request_id, user)
            except RequestNotFound as missing:
                await tell(client, channel, user, escape(str(missing)))
                return
            if outcome.status is ApprovalStatus.COUNTED:
                note = messages.COUNTED.format(
                    id=outcome.request.id, missing=outcome.request.approvals_missing
                )
                await tell(client, channel, user, note)
            elif outcome.status is not ApprovalStatus.APPROVED:
                await tell(client, channel, user, escape(outcome.message))
            if (body.get("container") or {}).get("type") == "view":  # clicked on the App Home tab
                await publish_home(deps, client, user)

        deps.tasks.spawn(
            work(),
            name=f"approve {request_id} by {user}",
            on_error=reporter(client, channel, user),
            decision=True,
        )

    on_decision(app, deps, ids.CANCEL, "cancel", lambda engine, rid, user: engine.cancel(rid, user))

    @app.action(ids.REJECT)
    async def reject(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        request_id, user, channel = clicked(body)
        meta = FormMeta(None, channel, request_id)
        trigger_id = body["trigger_id"]

        async def work() -> None:
            # the trigger_id lives 3 s and works once: open a loading view first, fill it in after the checks
            opened = await client.views_open(trigger_id=trigger_id, view=loading_view(meta))
            view_id = str(opened["view"]["id"])
            request = await deps.engine.get(request_id)
            if request.state is not RequestState.PENDING:
                view = message_view(meta, str(NotPending(request)))
            elif not await deps.engine.is_approver(user, request.action, request.cluster_name):
                view = message_view(
                    meta,
                    messages.REJECT_NOT_ALLOWED.format(
                        action=request.action.value, cluster=request.cluster_name, id=request.id
                    ),
                )
            else:
                view = reject_form(request.id, channel, request.summary)
            await client.views_update(view_id=view_id, view=view)

        deps.tasks.spawn(
            work(), name=f"reject form {request_id}", on_error=reporter(client, channel, user), decision=True
        )

    @app.view(ids.MODAL_REJECT)
    async def reject_submitted(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        view = body["view"]
        meta = FormMeta.load(view["private_metadata"])
        user = str(body["user"]["id"])
        values = view["state"]["values"]
        reason = (values.get(ids.REASON_BLOCK, {}).get(ids.REASON_INPUT, {}) or {}).get("value")
        request_id = meta.request_id or ""

        spawn_click(
            deps,
            client,
            meta.channel,
            user,
            lambda: deps.engine.reject(request_id, user, reason),
            name=f"reject {request_id} by {user}",
        )
