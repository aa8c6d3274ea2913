"""The approval card's Approve / Reject / Cancel buttons and the rejection modal.

Every click is acked at once; the engine's work runs as a tracked background task. The engine counts an
approver once and executes at most once, so double clicks, concurrent clicks and Slack's retries are safe.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import ids
from bot.slack.adapters.form_updates import update_view
from bot.slack.deps import Click, SlackDeps, answer, clicked, on_decision, reporter, spawn_click
from bot.slack.renderers import messages
from bot.slack.renderers.errors import plain_reply_for, reply_for
from bot.slack.renderers.mrkdwn import escape
from bot.slack.renderers.views import FormMeta, loading_view, message_view, reject_form
from bot.workflow import ApprovalStatus, NotPending, RequestNotFound, RequestState

__all__ = ["register_approvals"]

log = logging.getLogger(__name__)


def register_approvals(app: AsyncApp, deps: SlackDeps) -> None:
    @app.action(ids.APPROVE)
    async def approve(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        click = clicked(body)

        async def work() -> None:
            try:
                outcome = await deps.engine.approve(click.request_id, click.user)
            except RequestNotFound as missing:
                await answer(deps, client, click, reply_for(missing))
                return
            request = outcome.request
            note: str | None
            if outcome.status is ApprovalStatus.COUNTED:
                note = messages.COUNTED.format(id=request.id, missing=request.approvals_missing)
            elif outcome.status is ApprovalStatus.APPROVED:  # the card and its thread show it
                note = messages.APPROVED_FROM_HOME.format(id=request.id) if click.on_home else None
            else:
                note = escape(outcome.message)
            await answer(deps, client, click, note)

        deps.tasks.spawn(
            work(),
            name=f"approve {click.request_id} by {click.user}",
            on_error=reporter(deps, client, click),
            decision=True,
        )

    on_decision(app, deps, ids.CANCEL, "cancel", lambda engine, rid, user: engine.cancel(rid, user))

    @app.action(ids.REJECT)
    async def reject(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        click = clicked(body)
        request_id, user = click.request_id, click.user
        meta = FormMeta(None, click.channel, request_id)  # no channel: clicked on the Home tab
        trigger_id = body["trigger_id"]

        async def work() -> None:
            # the trigger_id lives 3 s and works once: open a loading view first, fill it in after the checks
            opened = await client.views_open(trigger_id=trigger_id, view=loading_view(meta))
            view_id, shown = str(opened["view"]["id"]), str(opened["view"].get("hash") or "")
            request = await deps.engine.get(request_id)
            if request.state is not RequestState.PENDING:
                view = message_view(meta, plain_reply_for(NotPending(request)))
                if click.on_home:  # it is over: take its buttons off the Home tab too
                    await answer(deps, client, click, None)
            elif not await deps.engine.may_decide(user, request):
                view = message_view(
                    meta,
                    messages.REJECT_NOT_ALLOWED.format(
                        action=request.action.value, cluster=request.cluster_name, id=request.id
                    ),
                )
            else:
                view = reject_form(request.id, click.channel, request.summary)
            await update_view(client, view_id, shown, view)  # from the loading view's hash

        deps.tasks.spawn(
            work(), name=f"reject form {request_id}", on_error=reporter(deps, client, click), decision=True
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
        click = Click(request_id, user, meta.channel, on_home=not meta.channel)

        spawn_click(
            deps,
            client,
            click,
            lambda: deps.engine.reject(request_id, user, reason),
            name=f"reject {request_id} by {user}",
            done=messages.REJECTED_FROM_HOME.format(id=request_id),
        )
