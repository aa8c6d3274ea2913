"""The engine's user-group resolver, backed by Slack's `usergroups.users.list` (cached a few minutes).

On a free workspace Slack answers `plan_upgrade_required`: user groups do not exist there. The resolver
says so once, clearly, in the log and treats every group as empty; approvers named by user ID keep working.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

__all__ = ["DEFAULT_GROUP_TTL", "SlackGroups"]

log = logging.getLogger(__name__)

DEFAULT_GROUP_TTL = 300.0


class SlackGroups:
    """`members(group_id)` for the workflow policy (`bot.workflow.GroupResolver`)."""

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        ttl: float = DEFAULT_GROUP_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._ttl = ttl
        self._clock = clock
        self._cache: dict[str, tuple[float, frozenset[str]]] = {}
        self.free_plan = False

    async def members(self, group_id: str) -> frozenset[str]:
        now = self._clock()
        cached = self._cache.get(group_id)
        if cached is not None and now - cached[0] < self._ttl:
            return cached[1]
        members = await self._load(group_id)
        if members is None:  # a passing failure: keep what we knew, and ask again next time
            return cached[1] if cached is not None else frozenset()
        self._cache[group_id] = (now, members)
        return members

    async def _load(self, group_id: str) -> frozenset[str] | None:
        try:
            response = await self._client.usergroups_users_list(usergroup=group_id)
        except SlackApiError as error:
            code = str(error.response.get("error", "unknown_error"))
            if code == "plan_upgrade_required":
                if not self.free_plan:
                    log.error(
                        "Slack user groups are not available on this workspace's plan "
                        "(usergroups.users.list answered plan_upgrade_required): every user group in the "
                        "policy counts as empty; name approvers by user ID (U…) instead",
                        extra={"usergroup": group_id},
                    )
                self.free_plan = True
                return frozenset()
            if code == "no_such_subteam":
                log.warning("user group %s does not exist; it counts as empty", group_id)
                return frozenset()
            log.warning(
                "could not read the members of user group %s (%s); using what was known before",
                group_id,
                code,
                extra={"usergroup": group_id, "slack_error": code},
            )
            return None
        except (aiohttp.ClientError, TimeoutError) as error:
            log.warning("could not reach Slack for user group %s: %r", group_id, error)
            return None
        users = response.get("users") or []
        return frozenset(str(u) for u in users)
