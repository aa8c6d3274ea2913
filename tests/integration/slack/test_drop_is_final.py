"""A drop's card says, before anyone approves, that it cannot be undone, names the latest backup and what a
restore costs (DigitalOcean restores into a new cluster); other cards do not."""

from __future__ import annotations

import json

from tests.integration.slack.harness import Harness
from tests.support.team import CHANNEL


async def _card(bot: Harness, command: str, text: str) -> str:
    await bot.command(command, text)
    request = await bot.request_of(await bot.wait_card(len(bot.cards()) + 1))
    return json.dumps(bot.slack.message(CHANNEL, request.card_ts or "").blocks)


async def test_a_drop_card_says_it_cannot_be_undone_and_what_a_restore_costs(bot: Harness) -> None:
    card = await _card(bot, "/db", "drop staging-pg app")
    assert "*A drop cannot be undone* (there is no Revert for it)." in card
    assert "The latest backup of staging-pg is from <!date^" in card
    assert "DigitalOcean restores a backup only into a new cluster" in card
    assert "within the seven days it keeps backups" in card


async def test_other_cards_do_not_say_so(bot: Harness) -> None:
    card = await _card(bot, "/pool", "resize staging-pg staging-web size=12")
    assert "cannot be undone" not in card
