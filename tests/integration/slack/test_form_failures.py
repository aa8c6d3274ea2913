"""Forms when something fails: the bot, Slack or DigitalOcean failing while a form is filled in or rebuilt
for a chosen cluster, a cluster id that cannot be an option value, and the rejection form's update."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.ops import Cluster
from bot.sandbox import PROD_PG, STAGING_PG, SandboxCluster
from bot.slack import ids
from bot.slack.form_values import entered, value
from bot.store import Request
from tests.integration.slack.harness import Harness, running_bot
from tests.support.team import ALICE, LEAD2

LOADING = ":hourglass_flowing_sand: Loading clusters from DigitalOcean…"
INTERNAL = "Something went wrong on the bot's side while preparing this form (error "
DO_DOWN = (
    "Could not load the clusters from DigitalOcean: DigitalOcean failed (HTTP 503); try again in a moment."
)
# a cluster id DigitalOcean could send (they are UUIDs; nothing in the API forbids a longer one)
LONG_ID = "5f0c8e1a-" + "e" * 150


@pytest.fixture
async def uncached(tmp_path: Path) -> AsyncIterator[Harness]:
    """A bot that asks DigitalOcean for the cluster list on every read, as once its cache has expired
    (a person taking more than 30 s over a form)."""
    async with running_bot(tmp_path, cluster_cache_ttl=0) as harness:
        yield harness


def _blocks(view: dict[str, Any]) -> list[str]:
    return [ids.base_block(str(b.get("block_id") or "")) for b in view["blocks"]]


def _texts(view: dict[str, Any]) -> list[str]:
    """What the view says in its sections and context lines."""
    texts: list[str] = []
    for block in view["blocks"]:
        if block["type"] == "section":
            texts.append(block["text"]["text"])
        elif block["type"] == "context":
            texts += [element["text"] for element in block["elements"]]
    return texts


async def _settled(bot: Harness, command: str, verb: str) -> tuple[str, dict[str, Any]]:
    """Open a form and wait until Slack shows something other than "Loading…"."""
    view_id = await bot.open_form(command, verb)
    await bot.slack.wait_for(lambda s: LOADING not in _texts(s.views[view_id]), what="the loading view gone")
    return view_id, bot.form(view_id)


def _error_id(text: str) -> str:
    assert text.startswith(INTERNAL), text
    return text.removeprefix(INTERNAL).split(")", 1)[0]


async def test_a_form_slack_refuses_is_replaced_by_a_sentence_not_left_loading(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    bot.slack.fail("views.update", "invalid_arguments")  # Slack refuses the form's blocks
    _view_id, view = await _settled(bot, "/pool", "create")
    [text] = _texts(view)
    assert text == f"{INTERNAL}{_error_id(text)}); the details are in its log."
    assert "submit" not in view
    [logged] = [r for r in caplog.records if getattr(r, "error_id", None) == _error_id(text)]
    assert logged.exc_info is not None
    assert "invalid_arguments" in str(logged.exc_info[1])
    assert "invalid_arguments" not in text


async def test_a_bug_while_filling_a_form_is_told_in_one_sentence_and_logged_with_its_id(
    bot: Harness, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken() -> list[Cluster]:
        raise KeyError("engine")

    monkeypatch.setattr(bot.deps.reads, "list_clusters", broken)
    _, view = await _settled(bot, "/db", "drop")
    [text] = _texts(view)
    assert "KeyError" not in text
    assert "Traceback" not in text
    [logged] = [r for r in caplog.records if getattr(r, "error_id", None) == _error_id(text)]
    assert logged.levelno == logging.ERROR
    assert logged.exc_info is not None
    assert isinstance(logged.exc_info[1], KeyError)


async def test_a_form_slack_will_not_open_is_told_privately(bot: Harness) -> None:
    bot.slack.fail("views.open", "expired_trigger_id")  # the trigger_id lives 3 s
    assert (await bot.command("/pool", "delete")).status_code == 200
    notes = await bot.wait_ephemeral(ALICE, "Something went wrong")
    assert notes == [
        ":warning: Something went wrong on the bot's side while handling that; the details are in its log."
    ]


async def test_a_form_closed_while_it_loads_is_let_go_quietly(bot: Harness) -> None:
    bot.sandbox.faults.latency(0.5, method="GET", path="/v2/databases")  # DigitalOcean is slow
    assert (await bot.command("/pool", "delete")).status_code == 200
    await bot.slack.wait_for_calls("views.open")
    [view_id] = bot.slack.views
    bot.slack.forms.close(view_id)  # the person gives up waiting
    await bot.slack.wait_for_calls("views.update")
    await bot.drain()
    assert bot.ephemeral_to(ALICE) == []
    assert bot.deps.tasks.failures == 0
    assert len(bot.slack.calls_to("views.update")) == 1


async def test_digitalocean_failing_while_a_form_is_filled_says_why(bot: Harness) -> None:
    bot.sandbox.faults.server_error(503, method="GET", path="/v2/databases")
    _, view = await _settled(bot, "/pool", "resize")
    assert _texts(view) == [DO_DOWN]


async def test_digitalocean_failing_when_a_cluster_is_chosen_keeps_the_form_and_what_was_entered(
    uncached: Harness,
) -> None:
    bot = uncached
    view_id = await bot.open_form("/pool", "create")
    bot.type(view_id, ids.POOL_INPUT, "batch")
    bot.type(view_id, ids.SIZE_INPUT, "5")
    await bot.choose(view_id, ids.MODE_SELECT, "session")
    bot.sandbox.faults.server_error(503, method="GET", path="/v2/databases")
    await bot.choose(view_id, ids.CLUSTER_SELECT, STAGING_PG, text="staging-pg")

    view = bot.form(view_id)
    assert _blocks(view) == [
        ids.CLUSTER_BLOCK,
        ids.FORM_PROBLEM_BLOCK,
        ids.POOL_BLOCK,
        ids.CHOOSE_FIRST_BLOCK,
        ids.SIZE_BLOCK,
        ids.MODE_BLOCK,
    ]
    assert _texts(view)[0] == f":warning: {DO_DOWN} Choose the cluster again to retry."
    assert view["submit"]["text"] == "Ask to create"
    state = entered(view["state"]["values"])
    assert value(state, ids.POOL_BLOCK, ids.POOL_INPUT) == "batch"
    assert value(state, ids.SIZE_BLOCK, ids.SIZE_INPUT) == "5"
    assert value(state, ids.MODE_BLOCK, ids.MODE_SELECT) == "session"
    assert value(state, ids.CLUSTER_BLOCK, ids.CLUSTER_SELECT) is None  # so choosing it again retries

    await bot.choose(view_id, ids.CLUSTER_SELECT, STAGING_PG, text="staging-pg")
    assert _blocks(bot.form(view_id)) == [
        ids.CLUSTER_BLOCK,
        ids.POOL_BLOCK,
        ids.DB_BLOCK,
        ids.USER_BLOCK,
        ids.SIZE_BLOCK,
        ids.MODE_BLOCK,
    ]
    assert await bot.suggest(view_id, ids.DB_SELECT, "") == ["app", "defaultdb"]
    await bot.choose(view_id, ids.DB_SELECT, "app")
    response = await bot.submit_form(view_id)
    assert (response.status_code, response.text) == (200, "")
    request = await bot.request_of(await bot.wait_card())
    assert request.summary.startswith("create pool batch on staging-pg")


async def test_a_failed_rebuild_leaves_the_form_for_the_cluster_it_was_built_for(uncached: Harness) -> None:
    bot = uncached
    view_id = await bot.open_form("/pool", "delete")
    await bot.choose(view_id, ids.CLUSTER_SELECT, STAGING_PG, text="staging-pg")
    await bot.choose(view_id, ids.POOL_SELECT, "staging-web")
    bot.sandbox.faults.server_error(503, method="GET", path="/v2/databases")
    await bot.choose(view_id, ids.CLUSTER_SELECT, PROD_PG, text="prod-pg")

    view = bot.form(view_id)
    assert _blocks(view) == [ids.CLUSTER_BLOCK, ids.FORM_PROBLEM_BLOCK, ids.POOL_BLOCK]
    state = entered(view["state"]["values"])
    assert value(state, ids.CLUSTER_BLOCK, ids.CLUSTER_SELECT) == STAGING_PG
    assert value(state, ids.POOL_BLOCK, ids.POOL_SELECT) == "staging-web"
    response = await bot.submit_form(view_id)
    assert (response.status_code, response.text) == (200, "")
    request = await bot.request_of(await bot.wait_card())
    assert request.summary == "delete pool staging-web on staging-pg"


async def test_a_rebuilt_form_slack_refuses_keeps_the_form_and_says_so_under_the_cluster(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    view_id = await bot.open_form("/db", "drop")
    bot.slack.fail("views.update", "invalid_arguments")
    await bot.choose(view_id, ids.CLUSTER_SELECT, STAGING_PG, text="staging-pg")
    view = bot.form(view_id)
    assert _blocks(view) == [ids.CLUSTER_BLOCK, ids.FORM_PROBLEM_BLOCK, ids.CHOOSE_FIRST_BLOCK]
    line = _texts(view)[0].removeprefix(":warning: ")
    error_id = _error_id(line)
    assert line == f"{INTERNAL}{error_id}); the details are in its log. Choose the cluster again to retry."
    assert any(getattr(r, "error_id", None) == error_id for r in caplog.records)
    await bot.choose(view_id, ids.CLUSTER_SELECT, STAGING_PG, text="staging-pg")
    assert _blocks(bot.form(view_id)) == [ids.CLUSTER_BLOCK, ids.DB_BLOCK, ids.CONFIRM_BLOCK]


def _odd_cluster(cluster_id: str, name: str) -> SandboxCluster:
    return SandboxCluster(
        id=cluster_id, name=name, engine="pg", version="16", size="db-s-1vcpu-1gb", dbs=["defaultdb"]
    )


async def test_a_cluster_whose_id_cannot_be_an_option_value_is_left_out_of_the_picker(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    bot.sandbox.add_cluster(_odd_cluster(LONG_ID, "odd-pg"))
    view_id, view = await _settled(bot, "/pool", "create")
    clusters = [o["text"]["text"] for o in view["blocks"][0]["element"]["options"]]
    assert clusters == ["analytics-pg", "prod-pg", "reporting-pg", "staging-pg"]
    assert any("odd-pg" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)
    await bot.choose(view_id, ids.CLUSTER_SELECT, STAGING_PG, text="staging-pg")
    assert await bot.suggest(view_id, ids.DB_SELECT, "") == ["app", "defaultdb"]


async def test_beyond_a_hundred_clusters_one_with_an_overlong_id_is_not_offered(bot: Harness) -> None:
    for n in range(110):
        bot.sandbox.add_cluster(_odd_cluster(f"00000000-0000-4000-8000-{n:012d}", f"team-{n:03d}-pg"))
    bot.sandbox.add_cluster(_odd_cluster(LONG_ID, "team-odd-pg"))
    view_id, _ = await _settled(bot, "/db", "drop")
    assert await bot.suggest(view_id, ids.CLUSTER_SELECT, "team-odd") == []
    assert await bot.suggest(view_id, ids.CLUSTER_SELECT, "team-10") == [
        f"00000000-0000-4000-8000-{n:012d}" for n in range(100, 110)
    ]


async def _rejection(bot: Harness) -> Request:
    await bot.command("/pool", "delete staging-pg staging-web")
    return await bot.request_of(await bot.wait_card())


async def test_the_rejection_form_replaces_loading_from_the_hash_slack_gave(bot: Harness) -> None:
    request = await _rejection(bot)
    await bot.click(ids.REJECT, request, user=LEAD2)
    [updated] = await bot.slack.wait_for_calls("views.update")
    assert updated.args.get("hash")  # the stand-in, like Slack, refuses any hash but the view's own
    view = bot.form(str(updated.args["view_id"]))
    assert view["callback_id"] == ids.MODAL_REJECT
    assert _blocks(view)[-1] == ids.REASON_BLOCK


async def test_a_rejection_form_slack_has_changed_meanwhile_is_left_as_it_is(bot: Harness) -> None:
    request = await _rejection(bot)
    bot.slack.fail("views.update", "hash_conflict")
    await bot.click(ids.REJECT, request, user=LEAD2)
    await bot.slack.wait_for_calls("views.update")
    await bot.drain()
    assert bot.ephemeral_to(LEAD2) == []  # no "something went wrong": the newer view stands
    assert bot.ephemeral_to(ALICE) == []
