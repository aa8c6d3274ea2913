"""The engine's `Notifier` for Slack: after every transition, update the card and add a line to its thread;
announce executed and failed changes in the policy's `notify_channels` with a link to the thread.

The card is always edited with `chat.update` on its ts (never through `response_url`, which allows five uses
in 30 minutes). Transitions of one request are rendered in order, and an older snapshot never overwrites
a newer card.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Sequence

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.renderers.blocks import card_blocks, card_text, failure_text, sentence
from bot.slack.renderers.incident_lines import (
    EMERGENCY_ANNOUNCEMENT,
    REVIEW_ANNOUNCEMENT,
    expired_note,
    incident_line,
    review_blocks,
    review_text,
)
from bot.slack.renderers.mrkdwn import escape, mention
from bot.slack.renderers.quotes import attributed, one_line
from bot.slack.renderers.request_again import offers_request_again, request_again_blocks, request_again_text
from bot.slack.renderers.revert import revert_of
from bot.slack.renderers.states import state_word
from bot.workflow import AuditEvent, Request, RequestState

__all__ = ["ANNOUNCE_FAILED", "ANNOUNCE_SUCCEEDED", "SlackNotifier", "announcement", "thread_line"]

log = logging.getLogger(__name__)

ANNOUNCE_SUCCEEDED = (
    ":white_check_mark: {id} succeeded: {summary} (asked by {requester}). <{link}|See the thread>"
)
ANNOUNCE_FAILED = ":x: {id} failed: {summary} (asked by {requester}). <{link}|See the thread>"

_RANK = {
    RequestState.PENDING: 0,
    RequestState.APPROVED: 1,
    RequestState.EXECUTING: 2,
    RequestState.UNKNOWN: 3,
}


def _order(request: Request) -> tuple[int, int, float]:
    """Later snapshots of one request sort higher (states only move forward; approvals only grow)."""
    rank = _RANK.get(request.state, 4)
    return rank, len(request.approvals), request.updated_at.timestamp()


def _drawn(request: Request) -> tuple[str, list[dict[str, object]]]:
    return card_text(request), [block.to_dict() for block in card_blocks(request)]


def thread_line(request: Request, event: AuditEvent) -> str | None:
    """The thread reply for one audit event, or None when the event needs none."""
    kind = event.kind
    if kind == "approval":
        return (
            f":ballot_box_with_check: {mention(event.actor)} approved "
            f"({len(request.approvals)} of {request.required_approvals})."
        )
    if kind == "approved":
        return ":white_check_mark: All approvals are in; the change runs now."
    if kind == "executing":
        return ":gear: Execution started on DigitalOcean."
    if kind == "revert_requested":
        who = mention(event.actor)
        return f":leftwards_arrow_with_hook: {who} asked to revert this change: {revert_of(event)}."
    if kind in ("executed", "failed", "reconciled"):
        return result_line(request, checked=kind == "reconciled")
    if kind == "unknown":
        return (
            f":grey_question: {sentence(escape(event.message.removesuffix(' Checking DigitalOcean.')))} "
            "The state is being reconciled by reading DigitalOcean back; "
            "the change will not be sent again."
        )
    if kind == "interrupted":
        return (
            f":grey_question: {sentence(escape(event.message))} It will not be sent again unless "
            "DigitalOcean shows it was not applied."
        )
    if kind == "resumed":
        return ":arrows_counterclockwise: The change was not applied before the crash; carrying it out now."
    if kind == "reconcile_failed":
        return ":hourglass: Could not check DigitalOcean yet; the bot will try again."
    if kind == "rejected":
        line = f":no_entry_sign: {mention(event.actor)} rejected the request. Nothing was changed."
        if request.rejection_reason:
            line += "\n" + attributed("Reason given", event.actor, request.rejection_reason)
        return line
    if kind == "cancelled":
        return f":heavy_multiplication_x: {mention(event.actor)} cancelled the request. Nothing was changed."
    if kind == "expired":
        return (
            f":hourglass: The request expired with {len(request.approvals)} of {request.required_approvals} "
            "approvals. Nothing was changed."
        )
    return incident_line(request, event)


def result_line(request: Request, *, checked: bool = False) -> str:
    """Says in so many words whether the change succeeded or failed; an error gives DigitalOcean's status."""
    prefix = "Checked DigitalOcean: " if checked else ""
    if request.state is RequestState.SUCCEEDED:
        detail = (
            f" {sentence(escape(request.result.message))}"
            if request.result and request.result.message
            else ""
        )
        return f":white_check_mark: {prefix}The change succeeded.{detail}"
    if request.state is RequestState.FAILED:
        detail = failure_text(request) or ""
        tail = " Nothing was changed." if not checked and request.failure and request.failure.status else ""
        return f":x: {prefix}The change failed. {detail}{tail}".rstrip()
    return f"{prefix}The request is now {state_word(request.state)}."


def announcement(request: Request, link: str) -> str:
    template = ANNOUNCE_SUCCEEDED if request.state is RequestState.SUCCEEDED else ANNOUNCE_FAILED
    return template.format(
        id=request.id, summary=escape(request.summary), requester=mention(request.requester), link=link
    )


class SlackNotifier:
    """Implements `bot.workflow.Notifier` without holding the engine up.

    `request_changed` only queues the event: a delivery task per request edits the card and posts the
    thread lines in the order the events happened, while the engine goes on (a slow or rate-limited Slack
    never delays a change or holds its claim). Events that queue up while Slack answers share one card
    edit, showing the newest state. A failed Slack call is logged and never undoes anything. `drain()`
    waits for every queued event (at shutdown).
    """

    def __init__(
        self, client: AsyncWebClient, *, notify_channels: Sequence[str] = (), team_domain: str = ""
    ) -> None:
        self._client = client
        self._notify_channels = list(notify_channels)
        self._team_domain = team_domain
        self._queued: dict[str, list[tuple[Request, AuditEvent]]] = {}
        self._deliveries: dict[str, asyncio.Task[None]] = {}
        self._shown: dict[str, tuple[int, int, float]] = {}

    async def request_changed(self, request: Request, event: AuditEvent) -> None:
        if request.card_channel is None or request.card_ts is None:
            return  # no card yet (just submitted): the Slack layer posts it next
        self._queued.setdefault(request.id, []).append((request, event))
        if request.id not in self._deliveries:
            task = asyncio.create_task(self._deliver(request.id), name=f"slack updates of {request.id}")
            self._deliveries[request.id] = task

    async def drain(self) -> None:
        """Wait until every queued card edit and thread line has been sent (or has failed)."""
        while self._deliveries:
            await asyncio.gather(*self._deliveries.values(), return_exceptions=True)

    async def _deliver(self, request_id: str) -> None:
        try:
            while batch := self._queued.pop(request_id, []):
                newest = max((request for request, _ in batch), key=_order)
                await self._logged(newest, "update its card", self._update_card(newest))
                for request, event in batch:
                    await self._logged(request, f"post about {event.kind}", self._tell(request, event))
        finally:
            self._deliveries.pop(request_id, None)

    async def _logged(self, request: Request, what: str, call: Awaitable[None]) -> None:
        try:
            await call
        except Exception as error:
            log.warning("could not %s for %s: %r", what, request.id, error, extra={"request_id": request.id})

    async def _tell(self, request: Request, event: AuditEvent) -> None:
        assert request.card_channel is not None
        line = thread_line(request, event) if event.kind != "review_opened" else None
        if line is not None and offers_request_again(request, event):
            await self._client.chat_postMessage(
                channel=request.card_channel,
                thread_ts=request.card_ts,
                text=request_again_text(line),
                blocks=request_again_blocks(request, line),
            )
        elif line is not None:
            await self._client.chat_postMessage(
                channel=request.card_channel, thread_ts=request.card_ts, text=line
            )
        if event.to_state in (RequestState.SUCCEEDED, RequestState.FAILED):
            await self._announce(request)
        await self._incident_extras(request, event)

    async def announce_emergency(self, request: Request) -> None:
        """Tell the notify channels that a break-glass change is counting down (once its card is up)."""
        await self._post_to_notify_channels(request, EMERGENCY_ANNOUNCEMENT)

    async def _incident_extras(self, request: Request, event: AuditEvent) -> None:
        assert request.card_channel is not None
        if event.kind == "review_opened":
            await self._client.chat_postMessage(
                channel=request.card_channel,
                thread_ts=request.card_ts,
                text=review_text(request, event),
                blocks=[b.to_dict() for b in review_blocks(request, event)],
            )
            await self._post_to_notify_channels(request, REVIEW_ANNOUNCEMENT)
        elif event.kind == "expired":
            await self._tell_requester_expired(request)

    async def _tell_requester_expired(self, request: Request) -> None:
        try:
            await self._client.chat_postEphemeral(
                channel=request.card_channel or request.channel,
                user=request.requester,
                text=expired_note(request),
            )
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:
            log.warning("could not tell %s that %s expired: %r", request.requester, request.id, error)

    async def _post_to_notify_channels(self, request: Request, template: str) -> None:
        if not self._notify_channels:
            return
        link = await self.permalink(request)
        text = template.format(
            id=request.id,
            summary=escape(request.summary),
            requester=mention(request.requester),
            reason=one_line(request.emergency_reason or ""),  # one line: it cannot fake a line of ours
            link=link,
        )
        for channel in self._notify_channels:
            try:
                await self._client.chat_postMessage(channel=channel, text=text, unfurl_links=False)
            except SlackApiError as error:
                log.warning(
                    "could not announce %s in %s: %s", request.id, channel, error.response.get("error")
                )

    async def card_posted(self, posted: Request, stored: Request) -> None:
        """The card went up complete, drawn from `posted`; `stored` is the request once its ts was saved.
        It is redrawn only when a click or a timer changed what it shows in between."""
        self._shown[posted.id] = max(self._shown.get(posted.id, (-1, -1, 0.0)), _order(posted))
        if _drawn(stored) != _drawn(posted):
            await self._update_card(stored)

    async def _update_card(self, request: Request) -> None:
        assert request.card_channel is not None
        assert request.card_ts is not None
        order = _order(request)
        if self._shown.get(request.id, (-1, -1, 0.0)) > order:
            return
        self._shown[request.id] = order
        await self._client.chat_update(
            channel=request.card_channel,
            ts=request.card_ts,
            text=card_text(request),
            blocks=card_blocks(request),
        )

    async def _announce(self, request: Request) -> None:
        if not self._notify_channels:
            return
        link = await self.permalink(request)
        text = announcement(request, link)
        for channel in self._notify_channels:
            try:
                await self._client.chat_postMessage(channel=channel, text=text, unfurl_links=False)
            except SlackApiError as error:
                log.warning(
                    "could not announce %s in %s: %s",
                    request.id,
                    channel,
                    error.response.get("error"),
                    extra={"request_id": request.id, "channel": channel},
                )

    async def permalink(self, request: Request) -> str:
        """The card's permalink (`chat.getPermalink`), or the archive link built from the team domain."""
        assert request.card_channel is not None
        assert request.card_ts is not None
        try:
            response = await self._client.chat_getPermalink(
                channel=request.card_channel, message_ts=request.card_ts
            )
            link = response.get("permalink")
            if isinstance(link, str) and link:
                return link
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:
            log.warning("chat.getPermalink failed: %r", error, extra={"request_id": request.id})
        domain = self._team_domain or "app"
        return (
            f"https://{domain}.slack.com/archives/{request.card_channel}/p{request.card_ts.replace('.', '')}"
        )
