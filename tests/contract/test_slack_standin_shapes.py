"""The Slack stand-in never sends what Slack does not send: every field its builders put in a payload is
one Slack's own shape has (tests/fixtures/slack, written from Slack's SDK test suites and API pages), and
the fields the bot reads are there in both."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

import pytest

from bot.demo.slack_standin import (
    app_home_opened_callback,
    block_action_payload,
    hello_frame,
    home_action_payload,
    slash_command_fields,
)
from tests.fixtures.slack import actions, commands, events, socket_mode

Shape = dict[str, Any]


def _extra(ours: object, slacks: object, path: str = "") -> list[str]:
    """Paths of fields in `ours` that `slacks` lacks (dicts compared key by key, lists by first item)."""
    if isinstance(ours, dict) and isinstance(slacks, dict):
        found: list[str] = []
        for key, value in ours.items():
            where = f"{path}.{key}" if path else key
            if key not in slacks:
                found.append(where)
            else:
                found += _extra(value, slacks[key], where)
        return found
    if isinstance(ours, list) and isinstance(slacks, list) and ours and slacks:
        return _extra(ours[0], slacks[0], f"{path}[0]")
    return []


def _pairs() -> dict[str, tuple[Shape, Shape]]:
    click = {"user": "U0LEAD1", "channel": "C0DBOPS", "message_ts": "1700000000.000001", "block_id": "b"}
    hook = "https://hooks.slack.com/actions/T0DBOPS/1/x"
    return {
        "slash command": (
            slash_command_fields(
                "/pool", "list prod-pg", user="U0ALICE", channel="C0DBOPS", response_url=hook
            ),
            commands.private_channel_command("/pool", "list prod-pg", user="U0ALICE", response_url=hook),
        ),
        "click on a message": (
            block_action_payload("approve", "R-1", **click),
            actions.message_click("approve", "R-1", response_url=hook, **click),
        ),
        "click in a thread": (
            block_action_payload("approve", "R-1", thread_ts="1700000000.000001", **click),
            actions.thread_click("approve", "R-1", response_url=hook, thread_ts="1700000000.000001", **click),
        ),
        "click on an ephemeral message": (
            block_action_payload("approve", "R-1", ephemeral=True, **click),
            actions.ephemeral_click("approve", "R-1", response_url=hook, **click),
        ),
        "click on the Home tab": (
            home_action_payload("approve", "R-1", user="U0LEAD1", block_id="b"),
            actions.home_click("approve", "R-1", user="U0LEAD1", block_id="b"),
        ),
        "app_home_opened": (app_home_opened_callback("U0LEAD1"), events.app_home_opened("U0LEAD1")),
        "Socket Mode hello": (hello_frame(1), socket_mode.hello(1)),
    }


@pytest.mark.parametrize("what", list(_pairs()))
def test_the_stand_ins_payloads_carry_only_fields_slack_sends(what: str) -> None:
    ours, slacks = _pairs()[what]
    assert _extra(ours, slacks) == []
    assert set(ours) == set(slacks) - {"enterprise_id", "enterprise_name", "event_context"}


def test_an_ephemeral_click_has_no_message_and_a_home_click_no_channel() -> None:
    ephemeral = block_action_payload("a", "v", user="U1", channel="C1", message_ts="1.1", ephemeral=True)
    assert "message" not in ephemeral
    assert ephemeral["container"]["is_ephemeral"] is True
    home = home_action_payload("a", "v", user="U1", block_id="b")
    assert {"channel", "message", "response_url"} & set(home) == set()
    assert (home["container"]["type"], home["view"]["type"]) == ("view", "home")


def test_a_slash_command_form_carries_strings_only() -> None:
    fields = commands.grid_command("/pool", "list prod-pg", channel="C0DBOPS", response_url="")
    form = commands.command_body(fields)
    assert dict(parse_qsl(form, keep_blank_values=True)) == fields
    assert all(isinstance(v, str) for v in fields.values())
    assert fields["is_enterprise_install"] == "false"
    assert json.loads(json.dumps(socket_mode.slash_commands(fields)))["accepts_response_payload"] is True
