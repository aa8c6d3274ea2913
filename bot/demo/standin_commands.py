"""Slack → bot: slash commands, as Slack posts them over HTTP or puts them in a Socket Mode envelope."""

from __future__ import annotations

from typing import Required, TypedDict, Unpack
from urllib.parse import urlencode

from .standin_workspace import API_APP_ID, TEAM_DOMAIN, TEAM_ID

__all__ = ["SlashOptions", "slash_command_body", "slash_command_fields"]


class SlashOptions(TypedDict, total=False):
    """Who sends a slash command, and where: the keywords of `slash_command_fields`."""

    user: Required[str]
    channel: Required[str]
    response_url: str
    channel_name: str
    trigger_id: str
    team_id: str
    api_app_id: str


def slash_command_body(command: str, text: str, **options: Unpack[SlashOptions]) -> str:
    """A slash command as Slack posts it (`application/x-www-form-urlencoded`)."""
    return urlencode(slash_command_fields(command, text, **options))


def slash_command_fields(
    command: str,
    text: str,
    *,
    user: str,
    channel: str,
    response_url: str = "",
    channel_name: str = "db-ops",
    trigger_id: str = "13345224609.738474920.8088930838d88f008e0",
    team_id: str = TEAM_ID,
    api_app_id: str = API_APP_ID,
) -> dict[str, str]:
    """A slash command's fields: the form body over HTTP, the envelope's `payload` in Socket Mode."""
    return {
        "token": "deprecated-verification-token",
        "team_id": team_id,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel,
        "channel_name": channel_name,
        "user_id": user,
        "user_name": user.lower(),
        "command": command,
        "text": text,
        "api_app_id": api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }
