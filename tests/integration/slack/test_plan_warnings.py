"""Over HTTP: a plan card carries the warnings that match how its pool really fails, and not another's;
a name from DigitalOcean in a warning is escaped."""

from __future__ import annotations

from typing import Any

from bot.demo.slack_standin import Message
from bot.sandbox import PROD_PG, SandboxPool
from bot.slack.renderers.mrkdwn import escape
from tests.integration.slack.harness import Harness


def _warnings(blocks: list[dict[str, Any]]) -> list[str]:
    texts = [str(block.get("text", {}).get("text", "")) for block in blocks if block["type"] == "section"]
    return [line for text in texts for line in text.split("\n") if line.startswith(":warning:")]


def _card_warnings(card: Message) -> list[str]:
    return _warnings(card.blocks)


async def test_a_switch_to_transaction_mode_is_warned_of_and_a_resize_is_not(bot: Harness) -> None:
    await bot.command("/pool", "resize prod-pg reports mode=transaction")
    switch = await bot.wait_card()
    assert _card_warnings(switch) == [
        ":warning: In transaction mode a client of pool reports keeps a server connection only for one "
        "transaction: prepared statements fail unless the client turns them off, and session-level advisory "
        "locks, SET, LISTEN, temporary tables kept past a transaction and other session-level settings stop "
        "working."
    ]
    await bot.command("/pool", "resize prod-pg web size=22")
    resize = await bot.wait_card(2)
    assert resize.text.endswith("resize pool web on prod-pg — pending")
    assert _card_warnings(resize) == []


async def test_a_pool_whose_user_is_gone_is_warned_of_escaped_on_show_and_delete(bot: Harness) -> None:
    user = "<!channel> *gone*"
    bot.sandbox.add_pool(PROD_PG, SandboxPool(name="legacy", mode="transaction", size=2, db="app", user=user))
    gone = (
        f":warning: Pool legacy connects as user {escape(user)}, which no longer exists on prod-pg: its "
        "clients cannot connect."
    )
    await bot.command("/pool", "show prod-pg legacy")
    [answer] = await bot.wait_webhook()
    assert _warnings(answer["blocks"]) == [gone]
    assert "<!channel>" not in str(answer["blocks"])

    await bot.command("/pool", "delete prod-pg legacy")
    card = await bot.wait_card()
    assert _card_warnings(card) == [
        ":warning: Every client that connects through pool legacy (clients give the pool's name as the "
        "database name) fails at once: its connections are closed and new ones are refused.",
        gone,
    ]
    assert "<!channel>" not in str(card.blocks)
