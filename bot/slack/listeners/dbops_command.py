"""`/dbops`: the accountability views. Answers are ephemeral, through the command's `response_url`.

/dbops requests                  pending requests you can approve, and your own live ones
/dbops audit <request-id>        every event of one request, in order
/dbops audit <cluster>           the recent events on a cluster (its name or id)
/dbops revert <request-id>       open a request that undoes a succeeded change (within its window)
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.ops.errors import OpsError
from bot.slack.adapters.home_tab import actionable
from bot.slack.deps import SlackDeps
from bot.slack.listeners.revert import start_revert
from bot.slack.parser import tokens
from bot.slack.renderers import messages
from bot.slack.renderers.errors import refusal
from bot.slack.renderers.listings import pages
from bot.slack.renderers.mrkdwn import TEXT_LIMIT, clip, escape, mention
from bot.slack.renderers.quotes import one_line
from bot.slack.renderers.states import state_word
from bot.workflow import AuditEvent, ChannelNotAllowed, Request, RequestState, WorkflowError
from bot.workflow.intake import check_name

__all__ = ["CLUSTER_AUDIT_LIMIT", "DBOPS_USAGE", "audit_lines", "register_dbops"]

log = logging.getLogger(__name__)

DBOPS_USAGE = escape(
    "Usage: `/dbops requests` (what you can approve, and your own) · `/dbops audit <request-id>` (its whole "
    "history) · `/dbops audit <cluster>` (recent changes there) · `/dbops revert <request-id>` (undo a "
    "change that succeeded) · `/dbops help`."
)
CLUSTER_AUDIT_LIMIT = 25
_REQUEST_ID = re.compile(r"^R-[A-Z0-9]{6}$", re.IGNORECASE)


def register_dbops(app: AsyncApp, deps: SlackDeps) -> None:
    @app.command("/dbops")
    async def on_dbops(
        ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        words = tokens(str(command.get("text", "")))
        verb = words[0].lower() if words else "help"
        if verb in ("help", "-h", "--help", "?"):
            await ack(text=DBOPS_USAGE)
            return
        try:
            deps.engine.check_channel(str(command.get("channel_id", "")))
        except ChannelNotAllowed as refused:  # names only the policy's channel IDs, kept as links
            await ack(text=refusal(refused))
            return
        if verb == "requests" and len(words) == 1:
            await ack()
            work = _requests(deps, str(command["user_id"]), respond)
        elif verb == "audit" and len(words) == 2:
            await ack()
            work = _audit(deps, str(command["user_id"]), words[1], respond)
        elif verb == "revert" and len(words) == 2 and _REQUEST_ID.match(words[1]):
            await ack()
            user, channel = str(command["user_id"]), str(command["channel_id"])

            async def say(text: str) -> None:
                await respond(text=text, response_type="ephemeral")

            trigger = str(command.get("trigger_id") or "")
            work = start_revert(
                deps, client, words[1], user, say, trigger_id=trigger, channel=channel, respond=respond
            )
        else:
            echo = clip(
                f"`/dbops` does not understand `{escape(' '.join(words))}`.",
                TEXT_LIMIT - len(DBOPS_USAGE) - 1,
            )
            await ack(text=f"{echo}\n{DBOPS_USAGE}")
            return

        async def report(error: BaseException) -> None:
            await respond(text=messages.INTERNAL_ERROR, response_type="ephemeral")

        deps.tasks.spawn(work, name=f"/dbops {verb}", on_error=report, person=str(command["user_id"]))


def _request_line(request: Request) -> str:
    tag = " :rotating_light: emergency" if request.is_emergency else ""
    return (
        f"• *{request.id}*: {escape(request.summary)} — {state_word(request.state)}{tag} "
        f"({len(request.approvals)} of {request.required_approvals} approvals, asked by "
        f"{mention(request.requester)})"
    )


async def _requests(deps: SlackDeps, user: str, respond: AsyncRespond) -> None:
    active = await deps.engine.list_active()
    to_approve = await actionable(deps.engine, user, [r for r in active if r.state is RequestState.PENDING])
    mine = [r for r in active if r.requester == user]
    lines = ["*Waiting for your approval*"]
    lines += [_request_line(r) for r in to_approve] or ["(nothing)"]
    lines += ["*Your requests in progress*"]
    lines += [_request_line(r) for r in mine] or ["(none)"]
    text = f"{len(to_approve)} request(s) wait for your approval; you have {len(mine)} in progress."
    await _answer(respond, text, lines, "lines")


def audit_lines(events: list[AuditEvent]) -> list[str]:
    lines = []
    for event in events:
        move = (
            f" ({state_word(event.from_state)} → {state_word(event.to_state)})"
            if event.from_state and event.to_state
            else ""
        )
        if not event.from_state and event.to_state:
            move = f" (→ {state_word(event.to_state)})"
        request = f"{event.request_id} · " if event.request_id else ""
        lines.append(
            f"• `{event.at:%Y-%m-%d %H:%M:%S}` {request}*{escape(event.kind)}*{move} by "
            f"{mention(event.actor)}: {one_line(event.message)}"
        )
    return lines


async def _audit(deps: SlackDeps, user: str, ref: str, respond: AsyncRespond) -> None:
    try:
        await deps.engine.check_audit_reader(user)
        check_name(ref)
    except WorkflowError as refused:
        await respond(text=refusal(refused), response_type="ephemeral")
        return
    if _REQUEST_ID.match(ref):
        request_id = ref.upper()
        events = await deps.engine.audit(request_id)
        if not events:
            await respond(
                text=f":warning: There is no request {escape(request_id)}.", response_type="ephemeral"
            )
            return
        text = f"History of {request_id}: {len(events)} event(s), oldest first."
        await _answer(respond, text, [f"*History of {request_id}*", *audit_lines(events)], "events")
        return
    key, name = await _cluster_of(deps, ref)
    events = await deps.engine.cluster_audit(key, last=CLUSTER_AUDIT_LIMIT)
    if not events:
        await respond(text=f"Nothing is recorded on {escape(name)}.", response_type="ephemeral")
        return
    text = f"The last {len(events)} event(s) on {name}, oldest first."
    await _answer(
        respond, escape(text), [f"*Recent changes on {escape(name)}*", *audit_lines(events)], "events"
    )


async def _cluster_of(deps: SlackDeps, ref: str) -> tuple[str, str]:
    """(what to look the events up by, what to call the cluster): the cluster as `/pool` and `/db` resolve
    it (any case, a UUID prefix), or `ref` as typed when DigitalOcean does not know it (any more)."""
    try:
        cluster = await deps.reads.resolve_cluster(ref)
    except OpsError as error:
        log.info("audit of %r without resolving the cluster: %s", ref, error)
        return ref, ref
    return cluster.id, cluster.name


async def _answer(respond: AsyncRespond, text: str, lines: list[str], noun: str) -> None:
    """The answer (its first line heads it) in pages within Slack's 4,000 characters, as listings are."""
    for page in pages(text, "", lines, "", noun):
        await respond(text=page.text, blocks=[b.to_dict() for b in page.blocks], response_type="ephemeral")
