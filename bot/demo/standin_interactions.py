"""Slack → bot: clicks on a message or on the App Home tab, and modal submissions (`payload=<JSON>`)."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any, Required, TypedDict, Unpack
from urllib.parse import urlencode

from .standin_workspace import API_APP_ID, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID

__all__ = [
    "ClickOptions",
    "block_action_body",
    "block_action_payload",
    "home_action_payload",
    "payload_body",
    "view_submission_body",
]


class ClickOptions(TypedDict, total=False):
    """Who clicks, on which message: the keywords of `block_action_payload`."""

    user: Required[str]
    channel: Required[str]
    message_ts: Required[str]
    block_id: str
    response_url: str
    team_id: str
    api_app_id: str
    thread_ts: str | None
    ephemeral: bool
    blocks: list[dict[str, Any]] | None


def block_action_body(action_id: str, value: str, **options: Unpack[ClickOptions]) -> str:
    """A button click on a message, as Slack posts it (`payload=<JSON>`)."""
    return urlencode({"payload": json.dumps(block_action_payload(action_id, value, **options))})


def block_action_payload(
    action_id: str,
    value: str,
    *,
    user: str,
    channel: str,
    message_ts: str,
    block_id: str = "actions",
    response_url: str = "",
    team_id: str = TEAM_ID,
    api_app_id: str = API_APP_ID,
    thread_ts: str | None = None,
    ephemeral: bool = False,
    blocks: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A button click on a message: JSON in the form body over HTTP, an `interactive` envelope in Socket
    Mode. `thread_ts` when the message is inside a thread (Slack puts it in `container`); an `ephemeral`
    message comes with `is_ephemeral: true` and no `message` body (Slack kept none)."""
    container: dict[str, Any] = {
        "type": "message",
        "message_ts": message_ts,
        "channel_id": channel,
        "is_ephemeral": ephemeral,
    }
    payload = {
        **_click_common(
            action_id, value, user=user, block_id=block_id, team_id=team_id, api_app_id=api_app_id
        ),
        "container": container,
        "channel": {"id": channel, "name": "db-ops"},
        "state": {"values": {}},
        "response_url": response_url,
    }
    if not ephemeral:
        payload["message"] = {
            "type": "message",
            "user": BOT_USER_ID,
            "ts": message_ts,
            "text": "",
            "blocks": list(blocks or []),
        }
    if thread_ts:
        container["thread_ts"] = thread_ts
        if not ephemeral:
            payload["message"]["thread_ts"] = thread_ts
    return payload


def home_action_payload(
    action_id: str,
    value: str,
    *,
    user: str,
    block_id: str,
    view_id: str = "V0HOME",
    team_id: str = TEAM_ID,
    api_app_id: str = API_APP_ID,
) -> dict[str, Any]:
    """A button click on the App Home tab: a `view` container and the `home` view; Slack sends no
    `channel`, `message` or `response_url` for it."""
    return {
        **_click_common(
            action_id, value, user=user, block_id=block_id, team_id=team_id, api_app_id=api_app_id
        ),
        "container": {"type": "view", "view_id": view_id},
        "view": {
            "id": view_id,
            "team_id": team_id,
            "type": "home",
            "blocks": [],
            "private_metadata": "",
            "callback_id": "",
            "state": {"values": {}},
            "hash": f"{time.time():.6f}.h",
            "root_view_id": view_id,
            "previous_view_id": None,
            "app_id": api_app_id,
            "external_id": "",
            "app_installed_team_id": team_id,
            "bot_id": "B0DBOPS",
        },
    }


def _click_common(
    action_id: str, value: str, *, user: str, block_id: str, team_id: str, api_app_id: str
) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team_id},
        "api_app_id": api_app_id,
        "token": "deprecated-verification-token",
        "trigger_id": f"{time.time():.6f}.{user}.trigger",
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": block_id,
                "value": value,
                "text": {"type": "plain_text", "text": action_id},
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


def payload_body(payload: Mapping[str, Any]) -> str:
    """An interaction payload (block_actions, block_suggestion, view_submission) as Slack posts it."""
    return urlencode({"payload": json.dumps(payload)})


def view_submission_body(
    callback_id: str,
    values: Mapping[str, Mapping[str, Mapping[str, Any]]],
    *,
    user: str,
    private_metadata: str = "",
    view_id: str = "V00000001",
    team_id: str = TEAM_ID,
    api_app_id: str = API_APP_ID,
) -> str:
    """A modal submission as Slack posts it; `values` is `{block_id: {action_id: {"value": …}}}`."""
    payload: dict[str, Any] = {
        "type": "view_submission",
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team_id},
        "api_app_id": api_app_id,
        "token": "deprecated-verification-token",
        "trigger_id": f"{view_id}.trigger",
        "view": {
            "id": view_id,
            "team_id": team_id,
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": private_metadata,
            "state": {"values": values},
            "hash": "1.h",
            "title": {"type": "plain_text", "text": "dbops"},
            "root_view_id": view_id,
            "previous_view_id": None,
            "app_id": api_app_id,
            "external_id": "",
            "bot_id": "B0DBOPS",
        },
        "response_urls": [],
    }
    return urlencode({"payload": json.dumps(payload)})
