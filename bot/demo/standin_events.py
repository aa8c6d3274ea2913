"""Slack → bot: Events API callbacks (JSON), as Slack posts them."""

from __future__ import annotations

import time
import uuid
from typing import Any

from .standin_workspace import API_APP_ID, BOT_USER_ID, TEAM_ID

__all__ = ["app_home_opened_callback"]


def app_home_opened_callback(
    user: str, *, tab: str = "home", event_id: str | None = None, team_id: str = TEAM_ID
) -> dict[str, Any]:
    """The `event_callback` Slack posts (JSON) when a person opens the app's Home or Messages tab."""
    return {
        "token": "deprecated-verification-token",
        "team_id": team_id,
        "api_app_id": API_APP_ID,
        "event": {
            "type": "app_home_opened",
            "user": user,
            "channel": f"D{user[1:]}",
            "tab": tab,
            "event_ts": f"{time.time():.6f}",
        },
        "type": "event_callback",
        "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }
