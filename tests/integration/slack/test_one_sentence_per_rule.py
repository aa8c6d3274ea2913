"""One owner per input rule (issue 14, item 2): the inline command, the form and the engine's intake answer
the same bad value with the same sentence, and nothing is asked for."""

from __future__ import annotations

import pytest

from bot.ops.changes import PoolCreate, PoolResize
from bot.sandbox import STAGING_PG
from bot.slack import ids
from bot.slack.renderers.blocks import sentence
from bot.workflow import RequestRefused
from tests.integration.slack.harness import Harness
from tests.support.team import ALICE, CHANNEL

SIZE_RULE = "Size must be a whole number from 1 to 2,147,483,647, not {shown}."
MODE_RULE = 'Mode "fast" is not a pool mode; choose session, transaction or statement.'


async def _form_answer(bot: Harness, size: str | None = None, mode: str | None = None) -> tuple[str, str]:
    """Submit the resize form for staging-web with `size` and/or `mode`: (the block, what Slack shows)."""
    view_id = await bot.open_form("/pool", "resize")
    await bot.choose(view_id, ids.CLUSTER_SELECT, STAGING_PG)
    await bot.choose(view_id, ids.POOL_SELECT, "staging-web")
    if size is not None:
        bot.type(view_id, ids.SIZE_INPUT, size)
    if mode is not None:
        await bot.choose(view_id, ids.MODE_SELECT, mode)  # a forged option: Slack sends what it is sent
    response = await bot.submit_form(view_id)
    body = response.json()
    assert body["response_action"] == "errors"
    [(block, text)] = body["errors"].items()
    return ids.base_block(block), text


@pytest.mark.parametrize(("size", "shown"), [(0, '"0"'), (2**31, '"2147483648"')])
async def test_a_size_out_of_range_gets_one_sentence_from_every_entry_point(
    bot: Harness, size: int, shown: str
) -> None:
    expected = SIZE_RULE.format(shown=shown)
    inline = await bot.command("/pool", f"resize staging-pg staging-web size={size}")
    assert inline.text.split("\n")[0] == expected
    assert await _form_answer(bot, size=str(size)) == (ids.SIZE_BLOCK, expected)
    change = PoolResize(cluster="staging-pg", pool="staging-web", size=size)
    with pytest.raises(RequestRefused) as refused:
        await bot.engine.submit(change, ALICE, CHANNEL)
    assert (sentence(str(refused.value)), refused.value.field) == (expected, "size")
    await bot.drain()
    assert await bot.store.list_requests() == []


async def test_a_size_that_is_no_whole_number_gets_the_same_sentence_inline_and_in_the_form(
    bot: Harness,
) -> None:
    expected = SIZE_RULE.format(shown='"2.5"')
    inline = await bot.command("/pool", "resize staging-pg staging-web size=2.5")
    assert inline.text.split("\n")[0] == expected
    assert await _form_answer(bot, size="2.5") == (ids.SIZE_BLOCK, expected)
    assert await bot.store.list_requests() == []


async def test_an_unknown_mode_gets_one_sentence_and_cannot_reach_the_engine(bot: Harness) -> None:
    inline = await bot.command("/pool", "resize staging-pg staging-web mode=fast")
    assert inline.text.split("\n")[0] == MODE_RULE
    assert await _form_answer(bot, mode="fast") == (ids.MODE_BLOCK, MODE_RULE)
    with pytest.raises(ValueError, match="mode"):  # a change carries a mode only as the enum
        PoolCreate(cluster="staging-pg", pool="batch", db="app", size=5, mode="fast")  # type: ignore[arg-type]
    assert await bot.store.list_requests() == []


@pytest.mark.parametrize("length", [61, 300])
async def test_a_new_pool_name_too_long_gets_one_sentence_from_every_entry_point(
    bot: Harness, length: int
) -> None:
    """Below and above intake's 255-character bound alike: the pool-name rule, not the bound, answers."""
    name = "p" * length
    shown = name if length <= 64 else "p" * 64 + "…"
    expected = f'Pool name "{shown}" is {length} characters long; DigitalOcean requires 3 to 60.'
    await bot.command("/pool", f"create staging-pg {name} db=app size=5 mode=session")
    [answer] = await bot.wait_webhook()
    assert answer["text"] == f":warning: {expected}"
    view_id = await bot.open_form("/pool", "create")
    await bot.choose(view_id, ids.CLUSTER_SELECT, STAGING_PG)
    bot.type(view_id, ids.POOL_INPUT, name)
    await bot.choose(view_id, ids.DB_SELECT, "app")
    bot.type(view_id, ids.SIZE_INPUT, "5")
    await bot.choose(view_id, ids.MODE_SELECT, "session")
    body = (await bot.submit_form(view_id)).json()
    [(block, text)] = body["errors"].items()
    assert (ids.base_block(block), text) == (ids.POOL_BLOCK, expected)
    change = PoolCreate(cluster="staging-pg", pool=name, db="app", size=5, mode="session")
    with pytest.raises(RequestRefused) as refused:
        await bot.engine.submit(change, ALICE, CHANNEL)
    assert (sentence(str(refused.value)), refused.value.field) == (expected, "pool")
    assert await bot.store.list_requests() == []


async def test_a_resize_asking_nothing_gets_one_sentence_from_the_form_and_intake(bot: Harness) -> None:
    """The command says which keys it needs (`size=` or `mode=`): syntax; the rule's sentence is one."""
    expected = "Say what to change: a new size, a new mode or both."
    assert await _form_answer(bot) == (ids.SIZE_BLOCK, expected)
    with pytest.raises(RequestRefused) as refused:
        await bot.engine.submit(PoolResize(cluster="staging-pg", pool="staging-web"), ALICE, CHANNEL)
    assert (sentence(str(refused.value)), refused.value.field) == (expected, "size")
    assert await bot.store.list_requests() == []
