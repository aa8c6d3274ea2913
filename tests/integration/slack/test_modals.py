"""Forms: opened within the trigger window, options loaded for the chosen cluster, refusals on the field,
the drop confirmation, and Block Kit's limits on everything sent."""

from __future__ import annotations

from typing import Any

import pytest

from bot.demo.slack_standin import TEAM_DOMAIN, payload_body
from bot.sandbox import PROD_PG, STAGING_PG, SandboxCluster
from bot.slack import ids
from bot.slack.form_values import entered, value
from bot.slack.listeners.modals import CLUSTER_CHANGED
from bot.slack.renderers.blocks import MAX_MESSAGE_BLOCKS, MAX_MODAL_BLOCKS
from bot.slack.renderers.views import FormMeta
from bot.store import RequestState
from tests.integration.slack.harness import Harness
from tests.support.team import ALICE, CHANNEL


def _blocks(view: dict[str, Any]) -> list[str]:
    return [ids.base_block(b["block_id"]) for b in view["blocks"]]


def _meta(bot: Harness, view_id: str) -> FormMeta:
    return FormMeta.load(bot.form(view_id)["private_metadata"])


async def _open(bot: Harness, command: str, verb: str) -> str:
    view_id = await bot.open_form(command, verb)
    [opened] = bot.slack.calls_to("views.open")
    assert opened.args["view"]["blocks"][0]["text"]["text"].startswith(":hourglass_flowing_sand: Loading")
    assert len(bot.form(view_id)["blocks"]) <= MAX_MODAL_BLOCKS
    return view_id


async def test_pool_create_form_lists_postgres_clusters_and_posts_a_card(bot: Harness) -> None:
    view_id = await _open(bot, "/pool", "create")
    view = bot.form(view_id)
    assert view["title"]["text"] == "Create pool"
    clusters = [o["text"]["text"] for o in view["blocks"][0]["element"]["options"]]
    assert clusters == ["analytics-pg", "prod-pg", "reporting-pg", "staging-pg"]
    await bot.choose(view_id, ids.CLUSTER_SELECT, STAGING_PG, text="staging-pg")
    assert await bot.suggest(view_id, ids.DB_SELECT, "") == ["app", "defaultdb"]
    assert await bot.suggest(view_id, ids.USER_SELECT, "ap") == ["app"]
    bot.type(view_id, ids.POOL_INPUT, "batch")
    await bot.choose(view_id, ids.DB_SELECT, "app")
    bot.type(view_id, ids.SIZE_INPUT, "5")
    await bot.choose(view_id, ids.MODE_SELECT, "session")
    response = await bot.submit_form(view_id)
    assert response.status_code == 200
    assert response.text == ""
    request = await bot.request_of(await bot.wait_card())
    assert request.state is RequestState.PENDING
    assert request.summary == "create pool batch on staging-pg"
    card = bot.slack.message(CHANNEL, request.card_ts or "")
    assert len(card.blocks) <= MAX_MESSAGE_BLOCKS


async def test_capacity_refusal_appears_on_the_size_field(bot: Harness) -> None:
    view_id = await _open(bot, "/pool", "resize")
    await bot.choose(view_id, ids.CLUSTER_SELECT, STAGING_PG)
    await bot.choose(view_id, ids.POOL_SELECT, "staging-web")
    bot.type(view_id, ids.SIZE_INPUT, "30")
    response = await bot.submit_form(view_id)
    assert response.json() == {
        "response_action": "errors",
        "errors": {
            ids.SIZE_BLOCK: "Size 30 exceeds the capacity left: staging-pg allows 22 backend connections, "
            "other pools use 0, so the largest size that fits is 22."
        },
    }
    assert bot.cards() == []


async def test_db_drop_asks_to_type_the_name(bot: Harness) -> None:
    view_id = await _open(bot, "/db", "drop")
    assert _blocks(bot.form(view_id)) == [ids.CLUSTER_BLOCK, ids.CHOOSE_FIRST_BLOCK]
    await bot.choose(view_id, ids.CLUSTER_SELECT, STAGING_PG)
    assert _blocks(bot.form(view_id)) == [ids.CLUSTER_BLOCK, ids.DB_BLOCK, ids.CONFIRM_BLOCK]
    await bot.choose(view_id, ids.DB_SELECT, "app")
    bot.type(view_id, ids.CONFIRM_INPUT, "ap")
    response = await bot.submit_form(view_id)
    confirm_block, _ = bot.slack.forms.element(view_id, ids.CONFIRM_INPUT)
    assert response.json() == {
        "response_action": "errors",
        "errors": {confirm_block: "Type app exactly to confirm the drop."},
    }


@pytest.mark.parametrize(
    ("command", "steps", "summary"),
    [
        (
            "/pool create",
            [
                ("type", ids.POOL_INPUT, "batch"),
                ("choose", ids.DB_SELECT, "app"),
                ("choose", ids.USER_SELECT, "app"),
                ("type", ids.SIZE_INPUT, "4"),
                ("choose", ids.MODE_SELECT, "transaction"),
            ],
            "create pool batch on staging-pg",
        ),
        (
            "/pool resize",
            [("choose", ids.POOL_SELECT, "staging-web"), ("type", ids.SIZE_INPUT, "12")],
            "resize pool staging-web on staging-pg",
        ),
        (
            "/pool delete",
            [("choose", ids.POOL_SELECT, "staging-web")],
            "delete pool staging-web on staging-pg",
        ),
        ("/db create", [("type", ids.DB_INPUT, "events")], "create database events on staging-pg"),
        (
            "/db drop",
            [("choose", ids.DB_SELECT, "app"), ("type", ids.CONFIRM_INPUT, "app")],
            "drop database app on staging-pg",
        ),
    ],
)
async def test_each_form_opened_without_arguments_can_be_completed(
    bot: Harness, command: str, steps: list[tuple[str, str, str]], summary: str
) -> None:
    name, verb = command.split()
    view_id = await _open(bot, name, verb)
    await bot.choose(view_id, ids.CLUSTER_SELECT, STAGING_PG)
    for step, action_id, entry in steps:
        if step == "type":
            bot.type(view_id, action_id, entry)
            continue
        if action_id in (ids.POOL_SELECT, ids.DB_SELECT, ids.USER_SELECT):
            assert entry in await bot.suggest(view_id, action_id, "")
        await bot.choose(view_id, action_id, entry)
    response = await bot.submit_form(view_id)
    assert (response.status_code, response.text) == (200, "")
    request = await bot.request_of(await bot.wait_card())
    assert request.summary.startswith(summary)


async def test_a_rebuilt_form_keeps_what_still_applies_and_drops_the_old_clusters_choices(
    bot: Harness,
) -> None:
    view_id = await _open(bot, "/pool", "create")
    bot.type(view_id, ids.POOL_INPUT, "batch")
    bot.type(view_id, ids.SIZE_INPUT, "5")
    await bot.choose(view_id, ids.MODE_SELECT, "session")
    await bot.choose(view_id, ids.CLUSTER_SELECT, STAGING_PG)
    await bot.choose(view_id, ids.DB_SELECT, "app")
    await bot.choose(view_id, ids.CLUSTER_SELECT, PROD_PG)
    assert await bot.suggest(view_id, ids.DB_SELECT, "") == ["app", "defaultdb", "orders"]
    state = entered(bot.form(view_id)["state"]["values"])
    assert value(state, ids.POOL_BLOCK, ids.POOL_INPUT) == "batch"
    assert value(state, ids.SIZE_BLOCK, ids.SIZE_INPUT) == "5"
    assert value(state, ids.MODE_BLOCK, ids.MODE_SELECT) == "session"
    assert value(state, ids.DB_BLOCK, ids.DB_SELECT) is None  # staging-pg's app is not prod-pg's


async def test_a_second_cluster_chosen_before_the_first_rebuild_wins(bot: Harness) -> None:
    view_id = await _open(bot, "/pool", "delete")
    forms = bot.slack.forms
    forms.enter(view_id, ids.CLUSTER_SELECT, STAGING_PG)
    first = forms.action_payload(view_id, ids.CLUSTER_SELECT, user=ALICE, team_domain=TEAM_DOMAIN)
    forms.enter(view_id, ids.CLUSTER_SELECT, PROD_PG)
    second = forms.action_payload(view_id, ids.CLUSTER_SELECT, user=ALICE, team_domain=TEAM_DOMAIN)
    assert first["view"]["hash"] == second["view"]["hash"]  # both made on the same form
    updates = len(bot.slack.calls_to("views.update"))
    assert (await bot.post(payload_body(first))).status_code == 200
    assert (await bot.post(payload_body(second))).status_code == 200
    await bot.slack.wait_for_calls("views.update", updates + 2)
    await bot.drain()
    assert _meta(bot, view_id).cluster == PROD_PG
    assert await bot.suggest(view_id, ids.POOL_SELECT, "") == ["reports", "web"]


async def _choose_on_a_stale_hash(bot: Harness, view_id: str, cluster: str) -> None:
    forms = bot.slack.forms
    forms.enter(view_id, ids.CLUSTER_SELECT, cluster)
    stale = forms.action_payload(view_id, ids.CLUSTER_SELECT, user=ALICE, team_domain=TEAM_DOMAIN)
    stale["view"]["hash"] = "1700000000.00000000"  # a hash this process never wrote (another replica's)
    updates = len(bot.slack.calls_to("views.update"))
    assert (await bot.post(payload_body(stale))).status_code == 200
    await bot.slack.wait_for_calls("views.update", updates + 1)  # refused: the view stays as it is


async def test_slack_refuses_a_stale_hash_and_a_submission_is_sent_back_to_the_cluster(bot: Harness) -> None:
    view_id = await _open(bot, "/pool", "delete")
    await _choose_on_a_stale_hash(bot, view_id, STAGING_PG)
    assert _meta(bot, view_id).cluster is None  # Slack kept the form as it was
    response = await bot.submit_form(view_id)  # the pickers were never shown
    assert response.json()["errors"] == {ids.CLUSTER_BLOCK: CLUSTER_CHANGED}

    await bot.choose(view_id, ids.CLUSTER_SELECT, STAGING_PG)
    await bot.choose(view_id, ids.POOL_SELECT, "staging-web")
    await _choose_on_a_stale_hash(bot, view_id, PROD_PG)
    assert _meta(bot, view_id).cluster == STAGING_PG
    response = await bot.submit_form(view_id)  # prod-pg chosen, staging-pg's pool still shown
    assert response.json()["errors"] == {ids.CLUSTER_BLOCK: CLUSTER_CHANGED}
    assert bot.cards() == []


async def test_more_than_a_hundred_clusters_are_found_by_typing(bot: Harness) -> None:
    for n in range(120):
        bot.sandbox.add_cluster(
            SandboxCluster(
                id=f"00000000-0000-4000-8000-{n:012d}",
                name=f"team-{n:03d}-pg",
                engine="pg",
                version="16",
                size="db-s-1vcpu-1gb",
                dbs=["defaultdb", f"team{n}"],
            )
        )
    view_id = await _open(bot, "/db", "drop")
    element = bot.form(view_id)["blocks"][0]["element"]
    assert element["type"] == "external_select"
    assert element["min_query_length"] == 1
    assert await bot.suggest(view_id, ids.CLUSTER_SELECT, "team-11") == [
        f"00000000-0000-4000-8000-{n:012d}" for n in range(110, 120)
    ]
    await bot.choose(view_id, ids.CLUSTER_SELECT, "00000000-0000-4000-8000-000000000117", text="team-117-pg")
    assert await bot.suggest(view_id, ids.DB_SELECT, "") == ["defaultdb", "team117"]


async def test_a_card_that_cannot_be_posted_cancels_the_request_and_says_why(bot: Harness) -> None:
    bot.slack.fail("chat.postMessage", "not_in_channel")
    await bot.command("/pool", "resize staging-pg staging-web size=12")
    notes = await bot.wait_ephemeral(ALICE, "could not post the approval card")
    assert notes[-1].startswith(
        ":warning: I could not post the approval card in this channel (Slack said `not_in_channel`), so R-"
    )
    [request] = await bot.store.list_requests([RequestState.CANCELLED])
    assert request.card_ts is None


async def test_a_picker_answers_an_empty_list_rather_than_miss_slacks_deadline(bot: Harness) -> None:
    view_id = await _open(bot, "/db", "drop")
    await bot.choose(view_id, ids.CLUSTER_SELECT, STAGING_PG)
    bot.deps.options_budget = 0.2  # Slack waits 3 s for options; DigitalOcean is slower than the budget
    bot.sandbox.faults.latency(2.0, method="GET", path=f"/v2/databases/{STAGING_PG}/dbs", times=1)
    assert await bot.suggest(view_id, ids.DB_SELECT, "") == []
    bot.deps.options_budget = 2.5
    assert await bot.suggest(view_id, ids.DB_SELECT, "") == ["app", "defaultdb"]  # the next load, in time
