"""The notifier after a card is posted: no rewrite unless a click changed what the card shows meanwhile."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.adapters.notifier import SlackNotifier
from bot.store.records import RequestState
from tests.unit.slack.factories import NOW, approval, request


class RecordingClient:
    def __init__(self) -> None:
        self.updates: list[dict[str, Any]] = []

    async def chat_update(self, **args: Any) -> dict[str, Any]:
        self.updates.append(args)
        return {"ok": True}


def _notifier() -> tuple[SlackNotifier, RecordingClient]:
    client = RecordingClient()
    return SlackNotifier(cast(AsyncWebClient, client)), client


async def test_a_card_stored_as_it_was_posted_is_not_rewritten() -> None:
    notifier, client = _notifier()
    posted = request()
    stored = posted.model_copy(
        update={"card_channel": "C0DBOPS", "card_ts": "1.2", "updated_at": NOW + timedelta(seconds=1)}
    )
    await notifier.card_posted(posted, stored)
    assert client.updates == []


async def test_a_card_a_click_changed_before_it_was_stored_is_redrawn() -> None:
    notifier, client = _notifier()
    posted = request(required_approvals=2)
    stored = posted.model_copy(
        update={"card_channel": "C0DBOPS", "card_ts": "1.2", "approvals": [approval("U0LEAD1")]}
    )
    await notifier.card_posted(posted, stored)
    [update] = client.updates
    assert update["ts"] == "1.2"
    assert "U0LEAD1" in str(update["blocks"])


async def test_a_card_rejected_before_it_was_stored_shows_it() -> None:
    notifier, client = _notifier()
    posted = request()
    stored = posted.model_copy(
        update={
            "card_channel": "C0DBOPS",
            "card_ts": "1.2",
            "state": RequestState.REJECTED,
            "rejected_by": "U0LEAD1",
        }
    )
    await notifier.card_posted(posted, stored)
    [update] = client.updates
    assert update["text"].endswith("— rejected")
