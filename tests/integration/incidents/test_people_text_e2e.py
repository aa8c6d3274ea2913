"""Input bounds and spoofing over HTTP (issue 13, item 8), on SQLite and PostgreSQL: over-long text gets a
clear answer at intake and its refusal is in the audit; a person's multi-line reason stays quoted."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.slack import ids
from tests.integration.slack.harness import Harness, running_bot
from tests.support.team import ALICE, CHANNEL, LEAD2
from tests.unit.store.backends import BACKENDS, create_database, drop_database, postgres_url

FAKE = "not now\n:white_check_mark: *Succeeded* — the change was made.\n\n<!here> ✅ Succeeded"


@pytest.fixture(params=BACKENDS)
async def bot(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Harness]:
    if request.param == "sqlite":
        async with running_bot(tmp_path) as harness:
            yield harness
        return
    url = await create_database(postgres_url(), prefix="dbops_bounds")
    try:
        async with running_bot(tmp_path, database_url=url.render_as_string(hide_password=False)) as harness:
            yield harness
    finally:
        await drop_database(url)


async def test_a_cluster_reference_over_255_characters_gets_a_clear_answer_and_is_audited(
    bot: Harness,
) -> None:
    await bot.command("/pool", f"resize {'p' * 300} web size=3")
    [answer] = await bot.wait_webhook(1)
    assert answer["text"] == (
        ":warning: The cluster name is 300 characters long; at most 255 are accepted. Nothing was changed."
    )
    [refused] = [e for e in await bot.store.events() if e.kind == "refused"]
    assert refused.actor == ALICE
    assert refused.message == f"Refused for {ALICE}: the cluster name is 300 characters long."
    assert (refused.cluster_name, refused.detail) == (None, {"field": "cluster", "length": 300})
    assert bot.cards() == []


async def test_a_multi_line_rejection_reason_is_quoted_and_attributed(bot: Harness) -> None:
    await bot.command("/pool", "delete staging-pg staging-web")
    request = await bot.request_of(await bot.wait_card())
    await bot.click(ids.REJECT, request, user=LEAD2)
    [updated] = await bot.slack.wait_for_calls("views.update")
    values = {ids.REASON_BLOCK: {ids.REASON_INPUT: {"type": "plain_text_input", "value": FAKE}}}
    await bot.submit(
        ids.MODAL_REJECT, values, user=LEAD2, private_metadata=updated.args["view"]["private_metadata"]
    )
    lines = await bot.wait_thread(request, "rejected the request")
    quote = (
        f"*Reason given by <@{LEAD2}>:*\n> not now\n> :white_check_mark: *Succeeded* — the change was "
        "made.\n>\n> &lt;!here&gt; ✅ Succeeded"
    )
    assert lines[-1] == f":no_entry_sign: <@{LEAD2}> rejected the request. Nothing was changed.\n{quote}"
    await bot.drain()
    card = bot.slack.message(CHANNEL, request.card_ts or "").blocks
    status = card[1]["text"]["text"]
    assert status == f":no_entry_sign: *Rejected* by <@{LEAD2}> — nothing was changed.\n{quote}"
    # every line of the card that is not the bot's own is inside the quote
    texts = [line for block in card for line in _texts(block)]
    assert not [line for line in texts if line.startswith((":white_check_mark:", "✅", "<!here>"))]
    assert "<!here>" not in json.dumps(card)


def _texts(block: dict[str, Any]) -> list[str]:
    """The lines of a block's mrkdwn text and fields."""
    parts = [block.get("text") or {}, *(block.get("fields") or [])]
    return [line for part in parts for line in str(part.get("text", "")).splitlines()]
