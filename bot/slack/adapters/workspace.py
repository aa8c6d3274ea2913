"""Refuse a signed request from a workspace or for an app other than the bot token's own.

Bolt verifies the signature but not that the payload's `team_id` and `api_app_id` belong to the bot. The
team comes from `auth.test` (which bolt already calls); a payload from another team passes only when the
bot is installed org-wide — our own `auth.test` answers `is_enterprise_install: true` (bolt does not keep
that flag, so it is asked once here and remembered) — and the payload comes from that same organisation.
A workspace inside an organisation also gets an `enterprise_id` from `auth.test`, and the manifest sets
`org_deploy_enabled: false`, so the organisation alone lets no other workspace through. What the payload
says of itself (`is_enterprise_install`) decides nothing.

The app id comes from `bots.info`. Until it is known the check fails closed: requests are refused (503,
"try again"), and `bots.info` is asked again after a backoff (1 s, doubling to at most 60 s), never given up.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncBoltContext, AsyncBoltRequest
from slack_bolt.response import BoltResponse

__all__ = ["OwnWorkspace"]

log = logging.getLogger(__name__)

FIRST_BACKOFF = 1.0
MAX_BACKOFF = 60.0

OTHER_WORKSPACE = "This request comes from a workspace this bot does not serve."
OTHER_APP = "This request is for another Slack app."
APP_UNKNOWN = (
    "dbops cannot confirm yet that this request is for it (Slack's bots.info did not answer); try again."
)
INSTALL_UNKNOWN = (
    "dbops cannot confirm yet that it serves this workspace (Slack's auth.test did not answer); try again."
)


class OwnWorkspace:
    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._app_id: str | None = None
        self._org_wide: bool | None = None  # our own auth.test's is_enterprise_install, once known
        self._next_try = 0.0
        self._backoff = FIRST_BACKOFF
        self._lock = asyncio.Lock()
        self._clock = clock

    async def __call__(
        self, req: AsyncBoltRequest, context: AsyncBoltContext, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse:
        ours = context.authorize_result
        if ours is None:  # bolt skipped authorisation: url_verification and ssl_check, which ask nothing
            return await next()
        team = context.team_id
        if team and ours.team_id and team != ours.team_id:
            same_org = bool(ours.enterprise_id) and context.enterprise_id == ours.enterprise_id
            org_wide = await self._org_wide_install(context) if same_org else False
            if org_wide is None:
                return BoltResponse(status=503, body=INSTALL_UNKNOWN)
            if not org_wide:
                log.warning("refused a request from workspace %s (the bot serves %s)", team, ours.team_id)
                return BoltResponse(status=403, body=OTHER_WORKSPACE)
        expected = await self._own_app_id(context, ours.bot_id)
        if expected is None:
            return BoltResponse(status=503, body=APP_UNKNOWN)
        app_id = str(req.body.get("api_app_id") or "") if isinstance(req.body, dict) else ""
        if app_id and app_id != expected:
            log.warning("refused a request for app %s (the bot is app %s)", app_id, expected)
            return BoltResponse(status=403, body=OTHER_APP)
        return await next()

    async def _org_wide_install(self, context: AsyncBoltContext) -> bool | None:
        """Whether our own token is an org-wide install (`auth.test`'s `is_enterprise_install`); None if
        `auth.test` cannot be asked now (the request is refused; it is asked again on the next one)."""
        if self._org_wide is None:
            try:
                if context.client is None:
                    raise LookupError("no Slack client")
                answer = await context.client.auth_test()
                self._org_wide = answer.get("is_enterprise_install") is True
            except Exception as error:  # refuse this request; never assume an org-wide install
                log.warning("could not ask auth.test whether the bot is installed org-wide (%r)", error)
                return None
        return self._org_wide

    async def _own_app_id(self, context: AsyncBoltContext, bot_id: str | None) -> str | None:
        if self._app_id is not None:
            return self._app_id
        async with self._lock:
            if self._app_id is not None or self._clock() < self._next_try:
                return self._app_id
            try:
                if not bot_id or context.client is None:
                    raise LookupError("auth.test named no bot id")
                answer = await context.client.bots_info(bot=bot_id)
                app_id = str((answer.get("bot") or {}).get("app_id") or "")
                if not app_id:
                    raise LookupError("bots.info named no app id")
            except Exception as error:  # refuse and ask again later; never switch the check off
                self._next_try = self._clock() + self._backoff
                log.warning(
                    "could not learn the bot's app id from bots.info (%r); refusing requests, asking "
                    "again in %.0f s",
                    error,
                    self._backoff,
                )
                self._backoff = min(self._backoff * 2, MAX_BACKOFF)
                return None
            self._app_id, self._backoff = app_id, FIRST_BACKOFF
            return app_id
