"""The stand-in sends from a modal only what Slack sends: the payloads `bot/demo/standin_views.py` builds
have the keys of the fixtures in `tests/fixtures/slack/modals.py` (written from Slack's SDK test suites
and API reference, each citing its source), and it keeps a view's hash and state as Slack does."""

from __future__ import annotations

from typing import Any

import pytest

from bot.demo.standin_views import StandInViews
from tests.fixtures.slack import modals as slack


def keys(node: Any) -> Any:
    """The payload's shape: its keys, nested (a list by its first item), without the values."""
    if isinstance(node, dict):
        return {k: keys(v) for k, v in node.items()}
    if isinstance(node, list):
        return [keys(node[0])] if node else []
    return None


def shape(payload: dict[str, Any]) -> Any:
    """The shape, leaving out what the app itself put in the view (its blocks) and the entries of
    `state.values`, which follow the view's own inputs."""
    view = dict(payload["view"])
    view.pop("blocks")
    values = view["state"]["values"]
    view["state"] = {"values": sorted(values)}
    return keys({**payload, "view": view})


def opened() -> tuple[StandInViews, str]:
    """The fixtures' form opened through the stand-in as the bot opens it (the view it sends)."""
    forms = StandInViews("T0DBOPS", "A0DBOPS", "B0DBOPS")
    sent = {
        k: v
        for k, v in slack.view_submission()["view"].items()
        if k in ("type", "blocks", "private_metadata", "callback_id", "title", "submit", "close")
    }
    sent |= {"clear_on_close": False, "notify_on_close": False}
    answer = forms.answer("views.open", {"view": sent})
    assert answer["ok"] is True
    return forms, str(answer["view"]["id"])


def test_a_block_suggestion_has_slacks_shape_and_carries_no_other_inputs_value() -> None:
    forms, view_id = opened()
    forms.enter(view_id, "cluster_select", "staging-pg")
    payload = forms.suggestion_payload(view_id, "db_select", "ap", user="U0ALICE", team_domain="acme")
    assert shape(payload) == shape(slack.block_suggestion())
    assert payload["view"]["state"] == {"values": {}} == slack.block_suggestion()["view"]["state"]
    assert payload["view"]["private_metadata"] == slack.block_suggestion()["view"]["private_metadata"]


def test_a_choice_in_a_dispatching_input_has_slacks_block_actions_shape_with_the_whole_state() -> None:
    forms, view_id = opened()
    forms.enter(view_id, "cluster_select", "staging-pg")
    payload = forms.action_payload(view_id, "cluster_select", user="U0ALICE", team_domain="acme")
    assert shape(payload) == shape(slack.view_block_actions())
    assert keys(payload["view"]["state"]) == keys(slack.view_block_actions()["view"]["state"])
    assert "response_url" not in payload  # from a modal: no channel, message or response_url
    assert "channel" not in payload


def test_a_submission_has_slacks_view_submission_shape() -> None:
    forms, view_id = opened()
    forms.enter(view_id, "cluster_select", "staging-pg")
    forms.enter(view_id, "db_select", "app")
    payload = forms.submission_payload(view_id, user="U0ALICE", team_domain="acme")
    assert shape(payload) == shape(slack.view_submission())
    assert payload["view"]["state"] == slack.view_submission()["view"]["state"]


def test_the_stand_in_never_sends_what_slack_does_not() -> None:
    forms, view_id = opened()
    with pytest.raises(AssertionError, match="no dispatch_action"):
        forms.action_payload(view_id, "db_select", user="U0ALICE", team_domain="acme")
    with pytest.raises(AssertionError, match="loads no options"):
        forms.suggestion_payload(view_id, "cluster_select", "", user="U0ALICE", team_domain="acme")


def test_views_update_keeps_what_was_entered_in_unchanged_inputs_and_refuses_a_stale_hash() -> None:
    forms, view_id = opened()
    forms.enter(view_id, "cluster_select", "staging-pg")
    forms.enter(view_id, "db_select", "app")
    view = forms.views[view_id]
    rebuilt = {**view, "blocks": [view["blocks"][0], {**view["blocks"][1], "block_id": "db_block.2"}]}
    first = forms.answer("views.update", {"view_id": view_id, "hash": view["hash"], "view": rebuilt})
    assert first["ok"] is True
    values = first["view"]["state"]["values"]
    assert values["cluster_block"]["cluster_select"]["selected_option"]["value"] == "staging-pg"
    assert values["db_block.2"] == {"db_select": {"type": "external_select", "selected_option": None}}
    stale = forms.answer("views.update", {"view_id": view_id, "hash": view["hash"], "view": rebuilt})
    assert stale == {"ok": False, "error": "hash_conflict"}
