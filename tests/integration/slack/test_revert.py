"""Revert over HTTP: `/dbops revert <id>` opens a new request for the inverse change, approved like any other,
carried out once, refused when the resource changed since or the window has ended; both threads and the
audit log name each other."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.slack import ids
from bot.store import Request, RequestState
from tests.integration.slack.harness import POLICY, Harness, running_bot
from tests.support.team import ALICE, CHANNEL, LEAD1


async def _succeeded(bot: Harness, command: str, text: str) -> Request:
    await bot.command(command, text)
    card = await bot.wait_card(len(bot.cards()) + 1)
    request = await bot.request_of(card)
    await bot.click(ids.APPROVE, request, user=LEAD1)
    await bot.wait_thread(request, "The change succeeded")
    done = await bot.engine.get(request.id)
    assert done.state is RequestState.SUCCEEDED
    return done


async def _answer(bot: Harness, count: int) -> str:
    return str((await bot.wait_webhook(count))[-1]["text"])


def _pool(bot: Harness, name: str) -> tuple[str, int, str, str | None] | None:
    pool = bot.sandbox.find_cluster("staging-pg").pools.get(name)
    return None if pool is None else (pool.mode, pool.size, pool.db, pool.user)


async def test_revert_of_a_resize_puts_size_and_mode_back_once(bot: Harness) -> None:
    original = await _succeeded(bot, "/pool", "resize staging-pg staging-web size=15 mode=session")
    assert _pool(bot, "staging-web") == ("session", 15, "app", "app")
    puts = len([c for c in bot.sandbox.calls if c.method == "PUT"])

    await bot.command("/dbops", f"revert {original.id}")
    card = await bot.wait_card(2)
    revert = await bot.request_of(card)
    assert revert.revert_of == original.id
    assert revert.state is RequestState.PENDING
    assert revert.change.model_dump(mode="json") == {
        "action": "pool.resize",
        "cluster": original.cluster_id,
        "pool": "staging-web",
        "size": 10,
        "mode": "transaction",
    }
    assert _pool(bot, "staging-web") == ("session", 15, "app", "app")  # nothing runs before approval

    await bot.click(ids.APPROVE, revert, user=LEAD1)
    await bot.wait_thread(revert, "The change succeeded")
    await bot.click(ids.APPROVE, revert, user=LEAD1)  # a second click changes nothing
    await bot.drain()
    assert _pool(bot, "staging-web") == ("transaction", 10, "app", "app")
    assert len([c for c in bot.sandbox.calls if c.method == "PUT"]) == puts + 1

    # linked both ways: the threads and the audit log name each other
    assert any(f"reverts *{original.id}*" in line for line in bot.thread(revert))
    assert any(f"revert this change: *{revert.id}*" in line for line in bot.thread(original))
    linked = [e for e in await bot.engine.audit(original.id) if e.kind == "revert_requested"]
    assert [e.detail["revert"] for e in linked] == [revert.id]
    submitted = (await bot.engine.audit(revert.id))[0]
    assert submitted.detail["revert_of"] == original.id


async def test_revert_after_an_out_of_band_change_is_refused_as_stale(bot: Harness) -> None:
    original = await _succeeded(bot, "/pool", "resize staging-pg staging-web size=15")
    bot.sandbox.find_cluster("staging-pg").pools["staging-web"].size = 40  # someone changed it elsewhere

    await bot.command("/dbops", f"revert {original.id}")
    answer = await _answer(bot, 1)
    assert f"{original.id} cannot be reverted" in answer
    assert "size is 40, not 15" in answer
    await bot.drain()
    assert len(bot.cards()) == 1  # no new request
    assert _pool(bot, "staging-web") == ("transaction", 40, "app", "app")


async def test_revert_of_a_delete_recreates_the_same_pool(bot: Harness) -> None:
    before = _pool(bot, "staging-web")
    original = await _succeeded(bot, "/pool", "delete staging-pg staging-web")
    assert _pool(bot, "staging-web") is None

    await bot.command("/dbops", f"revert {original.id}")
    revert = await bot.request_of(await bot.wait_card(2))
    assert revert.action.value == "pool.create"
    await bot.click(ids.APPROVE, revert, user=LEAD1)
    await bot.wait_thread(revert, "The change succeeded")
    assert _pool(bot, "staging-web") == before


def _buttons(bot: Harness, request: Request) -> list[str]:
    assert request.card_ts is not None
    shown = bot.slack.message(request.card_channel or CHANNEL, request.card_ts)
    return [e["action_id"] for b in shown.blocks if b["type"] == "actions" for e in b["elements"]]


async def test_the_revert_button_opens_the_revert_of_a_created_pool(bot: Harness) -> None:
    original = await _succeeded(bot, "/pool", "create staging-pg jobs db=app size=3 mode=session")
    await bot.slack.wait_for(lambda _: _buttons(bot, original) == [ids.REVERT], what="the Revert button")

    await bot.click(ids.REVERT, original, user=ALICE)
    revert = await bot.request_of(await bot.wait_card(2))
    assert (revert.revert_of, revert.action.value, revert.requester) == (original.id, "pool.delete", ALICE)
    await bot.click(ids.APPROVE, revert, user=ALICE)  # never self-approved
    await bot.click(ids.APPROVE, revert, user=LEAD1)
    await bot.wait_thread(revert, "The change succeeded")
    assert _pool(bot, "jobs") is None
    assert [a.user for a in (await bot.engine.get(revert.id)).approvals] == [LEAD1]


async def test_after_the_window_the_button_is_gone_and_the_command_refuses(bot: Harness) -> None:
    original = await _succeeded(bot, "/pool", "resize staging-pg staging-web size=15")
    bot.clock.advance(timedelta(minutes=61))
    assert f"revert window of {original.id} ended" in await bot.engine.fire_due()
    await bot.slack.wait_for(lambda _: _buttons(bot, original) == [], what="the card without Revert")
    assert (await bot.engine.get(original.id)).revert_until is None

    await bot.command("/dbops", f"revert {original.id}", user=ALICE)
    answer = await _answer(bot, 1)
    assert f"{original.id} cannot be reverted" in answer
    assert "revert window of 60 minute(s)" in answer
    await bot.drain()
    assert len(bot.cards()) == 1


async def test_revert_of_an_unknown_request_says_so(bot: Harness) -> None:
    await bot.command("/dbops", "revert R-NOSUCH")
    assert "There is no request R-NOSUCH" in await _answer(bot, 1)


async def test_the_revert_of_a_created_database_is_a_drop_with_its_typed_confirmation(bot: Harness) -> None:
    original = await _succeeded(bot, "/db", "create staging-pg reports")
    await bot.slack.wait_for(lambda _: _buttons(bot, original) == [ids.REVERT], what="the Revert button")
    await bot.click(ids.REVERT, original, user=ALICE)
    await bot.slack.wait_for_calls("views.open", 1)
    view = bot.slack.calls_to("views.open")[-1].args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["callback_id"] == ids.MODAL_REVERT_DROP
    meta = str(view["private_metadata"])

    def typed(name: str) -> dict[str, Any]:
        return {ids.CONFIRM_BLOCK: {ids.CONFIRM_INPUT: {"type": "plain_text_input", "value": name}}}

    wrong = await bot.submit(ids.MODAL_REVERT_DROP, typed("report"), user=ALICE, private_metadata=meta)
    assert wrong.json()["errors"] == {ids.CONFIRM_BLOCK: "Type reports exactly to confirm the drop."}
    assert len(bot.cards()) == 1

    right = await bot.submit(ids.MODAL_REVERT_DROP, typed("reports"), user=ALICE, private_metadata=meta)
    assert right.status_code == 200
    revert = await bot.request_of(await bot.wait_card(2))
    assert (revert.revert_of, revert.action.value, revert.plan.target) == (original.id, "db.drop", "reports")


async def test_a_window_of_0_turns_revert_off(tmp_path: Path) -> None:
    async with running_bot(tmp_path, policy_yaml=POLICY + "revert_window_minutes: 0\n") as bot:
        original = await _succeeded(bot, "/pool", "resize staging-pg staging-web size=15")
        await bot.slack.wait_for(
            lambda _: "succeeded" in bot.slack.message(CHANNEL, original.card_ts or "").text,
            what="the succeeded card",
        )
        assert _buttons(bot, original) == []
        await bot.command("/dbops", f"revert {original.id}")
        assert "the policy turns Revert off (revert_window_minutes is 0)" in await _answer(bot, 1)
