"""The change forms as Slack receives them: valid Block Kit (slack_sdk's models check Slack's limits in
`to_dict()` and parse the result back), the cluster first, its pickers once it is chosen."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from slack_sdk.models.views import View

from bot.ops import Cluster
from bot.ops.changes import Action
from bot.slack import ids
from bot.slack.form_values import entered, value
from bot.slack.renderers.change_forms import NO_CLUSTERS_TEXT, change_form, kept_form
from bot.slack.renderers.views import FormMeta, loading_view, message_view, reject_form
from tests.fixtures.slack.modals import view_block_actions

PG = "2f1b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"


def cluster(name: str = "staging-pg", cluster_id: str = PG) -> Cluster:
    return Cluster.model_validate(
        {
            "id": cluster_id,
            "name": name,
            "engine": "pg",
            "num_nodes": 1,
            "size": "db-s-1vcpu-1gb",
            "region": "nyc3",
        }
    )


def many(count: int) -> list[Cluster]:
    return [cluster(f"team-{n:03d}-pg", f"00000000-0000-4000-8000-{n:012d}") for n in range(count)]


def slack_receives(view: View) -> dict[str, Any]:
    """What Slack is sent, after slack_sdk's checks; it must parse back into the same view."""
    sent = view.to_dict()
    assert View(**sent).to_dict() == sent
    return sent


def block_ids(sent: dict[str, Any]) -> list[str]:
    return [b["block_id"] for b in sent["blocks"]]


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize(
    "clusters", [[cluster(), cluster("prod-pg", "p" * 36)], many(150)], ids=["two", "150"]
)
@pytest.mark.parametrize("chosen", [None, PG, "00000000-0000-4000-8000-000000000149"])
def test_every_form_is_valid_block_kit(action: Action, clusters: list[Cluster], chosen: str | None) -> None:
    sent = slack_receives(change_form(FormMeta(action, "C0DBOPS", cluster=chosen, revision=3), clusters))
    assert len(sent["private_metadata"]) <= 3000
    assert sent["blocks"][0]["block_id"] == ids.CLUSTER_BLOCK


def test_the_pickers_appear_once_a_cluster_is_chosen_under_the_builds_block_ids() -> None:
    clusters = [cluster(), cluster("prod-pg", "p" * 36)]
    waiting = slack_receives(change_form(FormMeta(Action.DB_DROP, "C0DBOPS"), clusters))
    assert block_ids(waiting) == [ids.CLUSTER_BLOCK, ids.CHOOSE_FIRST_BLOCK]
    assert waiting["blocks"][0]["dispatch_action"] is True
    ready = slack_receives(change_form(FormMeta(Action.DB_DROP, "C0DBOPS", cluster=PG, revision=2), clusters))
    assert block_ids(ready) == [ids.CLUSTER_BLOCK, "db_block.2", "confirm_block.2"]
    assert ready["blocks"][0]["element"]["initial_option"]["value"] == PG
    assert FormMeta.load(ready["private_metadata"]).cluster == PG


def test_the_only_cluster_is_chosen_for_the_person() -> None:
    sent = slack_receives(change_form(FormMeta(Action.POOL_DELETE, "C0DBOPS"), [cluster()]))
    assert block_ids(sent) == [ids.CLUSTER_BLOCK, "pool_block.0"]
    assert FormMeta.load(sent["private_metadata"]).cluster == PG


def test_beyond_a_hundred_clusters_the_cluster_is_found_by_typing() -> None:
    sent = slack_receives(change_form(FormMeta(Action.POOL_RESIZE, "C0DBOPS"), many(101)))
    element = sent["blocks"][0]["element"]
    assert (element["type"], element["min_query_length"]) == ("external_select", 1)
    assert "options" not in element
    assert (
        len(
            slack_receives(change_form(FormMeta(Action.POOL_RESIZE, "C0DBOPS"), many(100)))["blocks"][0][
                "element"
            ]["options"]
        )
        == 100
    )


def test_a_rebuilt_form_prefills_what_was_typed_that_still_applies() -> None:
    state = {
        "pool_block": {ids.POOL_INPUT: {"type": "plain_text_input", "value": "batch"}},
        "size_block": {ids.SIZE_INPUT: {"type": "number_input", "value": "12"}},
        "mode_block": {ids.MODE_SELECT: {"type": "static_select", "selected_option": {"value": "session"}}},
        "db_block.0": {ids.DB_SELECT: {"type": "external_select", "selected_option": {"value": "app"}}},
    }
    meta = FormMeta(Action.POOL_CREATE, "C0DBOPS", cluster=PG, revision=1)
    sent = slack_receives(change_form(meta, [cluster(), cluster("prod-pg", "p" * 36)], entered(state)))
    by_block = {b["block_id"]: b["element"] for b in sent["blocks"]}
    assert by_block["pool_block"]["initial_value"] == "batch"
    assert by_block["size_block"]["initial_value"] == "12"
    assert by_block["mode_block"]["initial_option"]["value"] == "session"
    assert "initial_option" not in by_block["db_block.1"]  # chosen for the form's previous build


def test_an_untrusted_cluster_name_is_cut_to_what_an_option_shows() -> None:
    sent = slack_receives(
        change_form(FormMeta(Action.POOL_CREATE, "C0DBOPS"), [cluster("<!channel>" + "x" * 10_000)])
    )
    [option] = sent["blocks"][0]["element"]["options"]
    assert (option["text"]["type"], option["text"]["text"]) == (
        "plain_text",
        ("<!channel>" + "x" * 10_000)[:75],
    )
    assert len(sent["private_metadata"]) < 200  # the cluster's id, never its name


def test_the_other_modals_are_valid_block_kit() -> None:
    meta = FormMeta(Action.POOL_CREATE, "C0DBOPS")
    slack_receives(loading_view(meta))
    slack_receives(message_view(meta, "DigitalOcean said <no> & went away"))
    long = slack_receives(reject_form("R-7K3F9Q", "C0DBOPS", "resize pool web on " + "<x>" * 5000))
    text = long["blocks"][0]["text"]["text"]
    assert len(text) <= 3000
    assert text.endswith("more characters)")  # cut cleanly, with the note (mrkdwn.clip)
    assert "<x>" not in text


def test_state_values_read_with_or_without_a_build_revision() -> None:
    state = entered(
        {"db_block.4": {ids.DB_SELECT: {"type": "external_select", "selected_option": {"value": "app"}}}}
    )
    assert value(state, ids.DB_BLOCK, ids.DB_SELECT) == "app"


def test_a_cluster_whose_id_cannot_be_an_option_value_is_left_out() -> None:
    odd = [cluster("long-pg", "e" * 151), cluster("blank-pg", "")]
    sent = slack_receives(change_form(FormMeta(Action.DB_DROP, "C0DBOPS"), [cluster(), *odd]))
    assert [o["value"] for o in sent["blocks"][0]["element"]["options"]] == [PG]
    alone = slack_receives(change_form(FormMeta(Action.DB_DROP, "C0DBOPS"), odd))
    assert alone["blocks"][0]["text"]["text"] == NO_CLUSTERS_TEXT


def test_a_kept_form_is_the_form_slack_showed_with_the_failure_under_the_cluster() -> None:
    shown = view_block_actions()["view"]  # the form as Slack echoes it, with what was chosen
    meta = replace(FormMeta.load(shown["private_metadata"]), revision=2)
    kept = kept_form(shown, meta, "DigitalOcean said <!channel> & left")
    assert View(**kept).to_dict() == kept  # valid Block Kit as slack_sdk reads it
    assert block_ids(kept) == ["cluster_block.2", ids.FORM_PROBLEM_BLOCK, "db_block.1"]
    assert kept["blocks"][1]["elements"][0]["text"] == (
        ":warning: DigitalOcean said &lt;!channel&gt; &amp; left Choose the cluster again to retry."
    )
    assert kept["blocks"][0]["element"] == shown["blocks"][0]["element"]
    assert FormMeta.load(kept["private_metadata"]).revision == 2
    assert not {"id", "hash", "state", "external_id", "root_view_id", "bot_id"} & set(kept)
    again = kept_form({**shown, "blocks": kept["blocks"]}, replace(meta, revision=3), "Still down.")
    assert block_ids(again) == ["cluster_block.3", ids.FORM_PROBLEM_BLOCK, "db_block.1"]


def test_a_long_failure_is_cut_and_still_says_how_to_retry() -> None:
    shown = view_block_actions()["view"]
    meta = replace(FormMeta.load(shown["private_metadata"]), revision=2)
    kept = kept_form(shown, meta, "<x>" * 5000)
    text = kept["blocks"][1]["elements"][0]["text"]
    assert len(text) <= 3000
    assert text.endswith("more characters) Choose the cluster again to retry.")  # mrkdwn.clip's note
    assert "<x>" not in text
