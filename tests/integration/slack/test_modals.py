"""Forms: opened within the trigger window, options loaded for the chosen cluster, refusals on the field,
the drop confirmation, and Block Kit's limits on everything sent."""

from __future__ import annotations

from typing import Any

from bot.sandbox import STAGING_PG
from bot.slack import ids
from bot.slack.blocks import MAX_MESSAGE_BLOCKS, MAX_MODAL_BLOCKS
from bot.store import RequestState
from tests.integration.slack.harness import Harness
from tests.support.team import ALICE, CHANNEL


def _select(value: str) -> dict[str, Any]:
    return {
        "type": "static_select",
        "selected_option": {"value": value, "text": {"type": "plain_text", "text": value}},
    }


def _text(value: str) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


async def _open(bot: Harness, command: str, verb: str) -> dict[str, Any]:
    response = await bot.command(command, verb)
    assert response.status_code == 200
    [opened] = await bot.slack.wait_for_calls("views.open")
    assert opened.args["view"]["blocks"][0]["text"]["text"].startswith(":hourglass_flowing_sand: Loading")
    [updated] = await bot.slack.wait_for_calls("views.update")
    assert updated.args["view_id"] == bot.slack.views[updated.args["view_id"]]["id"]
    view: dict[str, Any] = updated.args["view"]
    assert len(view["blocks"]) <= MAX_MODAL_BLOCKS
    return view


async def test_pool_create_form_lists_postgres_clusters_and_posts_a_card(bot: Harness) -> None:
    view = await _open(bot, "/pool", "create")
    assert view["title"]["text"] == "Create pool"
    clusters = [o["text"]["text"] for o in view["blocks"][0]["element"]["options"]]
    assert clusters == ["analytics-pg", "prod-pg", "reporting-pg", "staging-pg"]
    chosen = {ids.CLUSTER_BLOCK: {ids.CLUSTER_SELECT: _select(STAGING_PG)}}
    dbs = await bot.suggest(ids.DB_SELECT, "", chosen, user=ALICE)
    assert [o["value"] for o in dbs.json()["options"]] == ["app", "defaultdb"]
    users = await bot.suggest(ids.USER_SELECT, "ap", chosen, user=ALICE)
    assert [o["value"] for o in users.json()["options"]] == ["app"]
    values = {
        **chosen,
        ids.POOL_BLOCK: {ids.POOL_INPUT: _text("batch")},
        ids.DB_BLOCK: {ids.DB_SELECT: _select("app")},
        ids.USER_BLOCK: {ids.USER_SELECT: {"type": "external_select", "selected_option": None}},
        ids.SIZE_BLOCK: {ids.SIZE_INPUT: {"type": "number_input", "value": "5"}},
        ids.MODE_BLOCK: {ids.MODE_SELECT: _select("session")},
    }
    response = await bot.submit(
        ids.MODAL_CHANGE, values, user=ALICE, private_metadata=view["private_metadata"]
    )
    assert response.status_code == 200
    assert response.text == ""
    request = await bot.request_of(await bot.wait_card())
    assert request.state is RequestState.PENDING
    assert request.summary == "create pool batch on staging-pg"
    card = bot.slack.message(CHANNEL, request.card_ts or "")
    assert len(card.blocks) <= MAX_MESSAGE_BLOCKS


async def test_capacity_refusal_appears_on_the_size_field(bot: Harness) -> None:
    view = await _open(bot, "/pool", "resize")
    values = {
        ids.CLUSTER_BLOCK: {ids.CLUSTER_SELECT: _select(STAGING_PG)},
        ids.POOL_BLOCK: {ids.POOL_SELECT: _select("staging-web")},
        ids.SIZE_BLOCK: {ids.SIZE_INPUT: {"type": "number_input", "value": "30"}},
        ids.MODE_BLOCK: {ids.MODE_SELECT: {"type": "static_select", "selected_option": None}},
    }
    response = await bot.submit(
        ids.MODAL_CHANGE, values, user=ALICE, private_metadata=view["private_metadata"]
    )
    assert response.json() == {
        "response_action": "errors",
        "errors": {
            ids.SIZE_BLOCK: "Size 30 exceeds the capacity left: staging-pg allows 22 backend connections, "
            "other pools use 0, so the largest size that fits is 22."
        },
    }
    assert bot.cards() == []


async def test_db_drop_asks_to_type_the_name(bot: Harness) -> None:
    view = await _open(bot, "/db", "drop")
    assert [b["block_id"] for b in view["blocks"]] == [ids.CLUSTER_BLOCK, ids.DB_BLOCK, ids.CONFIRM_BLOCK]
    values = {
        ids.CLUSTER_BLOCK: {ids.CLUSTER_SELECT: _select(STAGING_PG)},
        ids.DB_BLOCK: {ids.DB_SELECT: _select("app")},
        ids.CONFIRM_BLOCK: {ids.CONFIRM_INPUT: _text("ap")},
    }
    response = await bot.submit(
        ids.MODAL_CHANGE, values, user=ALICE, private_metadata=view["private_metadata"]
    )
    assert response.json() == {
        "response_action": "errors",
        "errors": {ids.CONFIRM_BLOCK: "Type app exactly to confirm the drop."},
    }


async def test_a_card_that_cannot_be_posted_cancels_the_request_and_says_why(bot: Harness) -> None:
    bot.slack.fail("chat.postMessage", "not_in_channel")
    await bot.command("/pool", "resize staging-pg staging-web size=12")
    notes = await bot.wait_ephemeral(ALICE, "could not post the approval card")
    assert notes[-1].startswith(
        ":warning: I could not post the approval card in this channel (Slack said `not_in_channel`), so R-"
    )
    [request] = await bot.store.list_requests([RequestState.CANCELLED])
    assert request.card_ts is None
