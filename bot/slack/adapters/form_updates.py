"""Rebuilding an open form with `views.update` and its `hash`, one update at a time per view.

Slack refuses a `views.update` whose `hash` is not the view's current one (`hash_conflict`): it stops an
app overwriting a newer view with an older one. A person may choose a second cluster before the form
has been rebuilt for the first; that `block_actions` then carries the hash this process has just
replaced. `FormUpdates` applies a view's updates in the order the choices arrived and remembers the hash
(and revision) each left, so the later choice is applied on top of the earlier one. A hash it never
wrote (another replica's, or from before a restart) is sent as it came; if Slack refuses it, the newer
view stands and the refusal is logged. `update_view` is that one `views.update`, for every modal (a
view the person has closed, `not_found`, is let go too).
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

__all__ = ["FormUpdates", "update_view"]

log = logging.getLogger(__name__)


async def update_view(
    client: AsyncWebClient, view_id: str, from_hash: str | None, view: View | dict[str, Any]
) -> dict[str, Any] | None:
    """`views.update` from `from_hash` (the view as last seen): the view Slack now shows, or None when
    there is nothing to update: it has changed meanwhile (`hash_conflict`: the newer view stands) or the
    person has closed it (`not_found`)."""
    try:
        answer = await client.views_update(view_id=view_id, hash=from_hash or None, view=view)
    except SlackApiError as error:
        code = error.response.get("error")
        if code == "hash_conflict":
            log.info("view %s changed since hash %s; the newer view stands", view_id, from_hash)
            return None
        if code == "not_found":
            log.info("view %s is closed; nothing to update", view_id)
            return None
        raise
    shown = answer.get("view")
    return dict(shown) if isinstance(shown, dict) else {}


@dataclass
class _Written:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    replaced: set[str] = field(default_factory=set)  # hashes this process has updated the view from
    latest: str | None = None
    revision: int = 0


class FormUpdates:
    """The forms this process has rebuilt, by view id (the `limit` most recent)."""

    def __init__(self, limit: int = 1000) -> None:
        self._views: OrderedDict[str, _Written] = OrderedDict()
        self._limit = limit

    def _of(self, view_id: str) -> _Written:
        written = self._views.pop(view_id, None) or _Written()
        self._views[view_id] = written
        while len(self._views) > self._limit:
            self._views.popitem(last=False)
        return written

    def lock(self, view_id: str) -> asyncio.Lock:
        """Held while one choice rebuilds the view; later choices wait their turn."""
        return self._of(view_id).lock

    def base(self, view_id: str, seen_hash: str, seen_revision: int) -> tuple[str, int]:
        """The hash to update from and the revision the view is at, for a choice made on `seen_hash`."""
        written = self._of(view_id)
        if written.latest is not None and seen_hash in written.replaced:
            return written.latest, max(written.revision, seen_revision)
        return seen_hash, seen_revision

    async def update(
        self,
        client: AsyncWebClient,
        view_id: str,
        from_hash: str,
        view: View | dict[str, Any],
        *,
        revision: int,
    ) -> bool:
        """`views.update` from `from_hash`; False when Slack says the view has changed meanwhile."""
        shown = await update_view(client, view_id, from_hash, view)
        if shown is None:
            return False
        written = self._of(view_id)
        written.replaced.add(from_hash)
        written.latest = str(shown.get("hash") or "") or None
        written.revision = revision
        return True
