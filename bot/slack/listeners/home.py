"""The App Home tab's listener: `app_home_opened` publishes the tab in the background."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.adapters.home_tab import publish_home
from bot.slack.deps import SlackDeps

__all__ = ["register_home"]


def register_home(app: AsyncApp, deps: SlackDeps) -> None:
    @app.event("app_home_opened")
    async def opened(event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        user = str(event["user"])
        deps.tasks.spawn(publish_home(deps.engine, client, user), name=f"home of {user}", person=user)
