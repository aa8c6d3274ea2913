"""`manifest.yml` against the code: the same slash commands and events, one URL, and the least scopes.

The code is read, not imported: every `app.command("/x")` and `app.event("x")` in `bot/slack/`, and every
Slack Web API method the bot calls (`client.chat_postMessage(…)` and the like) anywhere in `bot/`.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml

from bot.slack.app import EVENTS_PATH

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "manifest.yml"

# The bot scope each Web API method needs with a bot token (Slack's method reference); None: no scope.
SCOPE_OF_METHOD: dict[str, str | None] = {
    "auth.test": None,
    "bots.info": "users:read",  # the app id behind the bot, to refuse other apps' payloads
    "chat.getPermalink": None,
    "chat.postEphemeral": "chat:write",
    "chat.postMessage": "chat:write",
    "chat.update": "chat:write",
    "conversations.info": "channels:read",  # a public channel's name, for break-glass name patterns
    "usergroups.users.list": "usergroups:read",
    "views.open": None,
    "views.publish": None,
    "views.push": None,
    "views.update": None,
}

# Scopes asked for beyond what the methods need, and why (README and docs/DEPLOYMENT.md say the same).
EXTRA_SCOPES = {
    "commands": "receive the slash commands",
    "chat:write.public": "post cards and incident notices in public channels the bot was not invited to",
}

_METHOD_ATTR = re.compile(
    r"^(auth|bots|chat|conversations|files|reactions|team|usergroups|users|views)_[a-zA-Z_]+$"
)


def _calls(folder: Path) -> list[ast.Call]:
    calls: list[ast.Call] = []
    for path in sorted(folder.rglob("*.py")):
        calls.extend(node for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.Call))
    return calls


def _registered(name: str) -> set[str]:
    """First string arguments of `<app>.<name>("…")` calls in bot/slack/."""
    found = set()
    for call in _calls(ROOT / "bot" / "slack"):
        if isinstance(call.func, ast.Attribute) and call.func.attr == name and call.args:
            first = call.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.add(first.value)
    return found


def _web_api_methods() -> set[str]:
    """`client.chat_postMessage(…)` → `chat.postMessage`, for every such call in bot/."""
    found = set()
    for call in _calls(ROOT / "bot"):
        if isinstance(call.func, ast.Attribute) and _METHOD_ATTR.match(call.func.attr):
            family, _, method = call.func.attr.partition("_")
            found.add(f"{family}.{method.replace('_', '.') if family == 'usergroups' else method}")
    return found


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    data = yaml.safe_load(MANIFEST.read_text())
    assert isinstance(data, dict)
    return data


def test_every_command_the_code_handles_is_in_the_manifest_and_back(manifest: dict[str, Any]) -> None:
    in_manifest = {entry["command"] for entry in manifest["features"]["slash_commands"]}
    in_code = _registered("command")
    assert {"/pool", "/db"} <= in_code  # the scan finds what it should
    assert in_manifest == in_code


def test_every_command_has_a_description_and_a_usage_hint(manifest: dict[str, Any]) -> None:
    for entry in manifest["features"]["slash_commands"]:
        assert entry["description"].strip(), entry["command"]
        assert entry["usage_hint"].strip(), entry["command"]
        assert entry["should_escape"] is False, entry["command"]  # the bot reads raw <@U…> mentions


def test_every_event_the_code_listens_to_is_subscribed_and_back(manifest: dict[str, Any]) -> None:
    subscriptions = manifest["settings"].get("event_subscriptions") or {}
    assert set(subscriptions.get("bot_events") or []) == _registered("event")
    if "app_home_opened" in _registered("event"):
        assert manifest["features"]["app_home"]["home_tab_enabled"] is True


def test_every_url_is_the_one_events_endpoint(manifest: dict[str, Any]) -> None:
    urls = [entry["url"] for entry in manifest["features"]["slash_commands"]]
    interactivity = manifest["settings"]["interactivity"]
    assert interactivity["is_enabled"] is True
    urls += [interactivity["request_url"], interactivity["message_menu_options_url"]]
    if "event_subscriptions" in manifest["settings"]:
        urls.append(manifest["settings"]["event_subscriptions"]["request_url"])
    assert {urlparse(url).path for url in urls} == {EVENTS_PATH}
    assert {urlparse(url).scheme for url in urls} == {"https"}  # Slack calls only HTTPS URLs
    assert len({urlparse(url).netloc for url in urls}) == 1


def test_the_scopes_are_the_least_that_work(manifest: dict[str, Any]) -> None:
    used = _web_api_methods()
    assert {"chat.postMessage", "chat.update", "views.open"} <= used  # the scan finds what it should
    unknown = used - SCOPE_OF_METHOD.keys()
    assert not unknown, f"the bot calls {sorted(unknown)}: add their scopes to SCOPE_OF_METHOD"
    needed = {scope for method in used if (scope := SCOPE_OF_METHOD[method]) is not None}
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == needed | EXTRA_SCOPES.keys()
    assert "user" not in manifest["oauth_config"]["scopes"]  # no user token, ever


def test_the_manifest_declares_the_bot_user_and_socket_mode_flag(manifest: dict[str, Any]) -> None:
    assert manifest["_metadata"] == {"major_version": 1, "minor_version": 1}
    assert manifest["display_information"]["name"] == "dbops"
    assert manifest["features"]["bot_user"]["display_name"] == "dbops"
    assert manifest["settings"]["socket_mode_enabled"] is False  # HTTP by default; the comment says how
    assert manifest["settings"]["token_rotation_enabled"] is False  # dbops keeps one long-lived bot token
