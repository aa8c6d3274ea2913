"""Slash commands: usage, reads (ephemeral unless public), refusals, escaping, Slack's retries."""

from __future__ import annotations

from bot.slack.parser import DB_USAGE, POOL_USAGE
from tests.integration.slack.harness import Harness
from tests.support.team import ALICE, CHANNEL


async def test_unknown_verb_answers_with_the_usage(bot: Harness) -> None:
    response = await bot.command("/pool", "explode prod-pg")
    assert response.status_code == 200
    assert response.text == f"`/pool` has no subcommand `explode`.\n{POOL_USAGE}"
    help_response = await bot.command("/db", "help")
    assert help_response.text == DB_USAGE
    assert bot.slack.calls_to("chat.postMessage") == []


async def test_pool_list_is_ephemeral_and_shows_capacity(bot: Harness) -> None:
    await bot.command("/pool", "list prod-pg")
    [answer] = await bot.wait_webhook()
    assert answer["response_type"] == "ephemeral"
    assert answer["text"] == "prod-pg has 2 connection pools."
    shown = str(answer["blocks"])
    assert "`reports`: session, size 10, db `orders`, user `reporting`" in shown
    assert "`web`: transaction, size 20, db `app`, user `app`" in shown
    assert "Backend connections of prod-pg: 30 of 97 used by pools, 67 left." in shown


async def test_public_reads_go_to_the_channel(bot: Harness) -> None:
    await bot.command("/pool", "show prod-pg web public")
    [answer] = await bot.wait_webhook()
    assert answer["response_type"] == "in_channel"
    assert answer["text"] == "Pool web on prod-pg: size 20."
    await bot.command("/db", "list staging-pg")
    answers = await bot.wait_webhook(2)
    assert answers[1]["text"] == "staging-pg has 2 databases."
    assert answers[1]["response_type"] == "ephemeral"


async def test_invalid_request_gets_an_ephemeral_answer_and_no_card(bot: Harness) -> None:
    await bot.command("/pool", "resize prod-pg web size=120")
    [answer] = await bot.wait_webhook()
    assert answer["response_type"] == "ephemeral"
    assert answer["text"] == (
        ":warning: Size 120 exceeds the capacity left: prod-pg allows 97 backend connections, other pools "
        "use 10, so the largest size that fits is 87."
    )
    assert bot.cards() == []
    assert [c for c in bot.sandbox.calls if c.method != "GET"] == []


async def test_a_channel_ping_in_a_name_is_escaped(bot: Harness) -> None:
    await bot.command("/pool", "show prod-pg <!channel>")
    [answer] = await bot.wait_webhook()
    assert "<!channel>" not in answer["text"]
    assert "&lt;!channel&gt;" in answer["text"]


async def test_a_retried_command_does_nothing_twice(bot: Harness) -> None:
    await bot.command("/pool", "resize staging-pg staging-web size=12")
    await bot.wait_card()
    retried = await bot.command("/pool", "resize staging-pg staging-web size=12", retry=1)
    assert retried.status_code == 200
    assert retried.text == ""
    await bot.drain()
    assert len(bot.cards()) == 1
    assert bot.slack.webhooks == []  # no "already asks" refusal either: the retry was not processed
    assert bot.ephemeral_to(ALICE) == []
    assert len(bot.slack.calls_to("chat.postMessage")) == 1
    assert bot.slack.top_level(CHANNEL)[0].text.endswith("— pending")


async def test_a_refusal_leading_with_a_name_keeps_the_name_as_it_is(bot: Harness) -> None:
    await bot.command("/pool", "show prod-pg nosuch")
    await bot.command("/db", "create cache-redis events")
    await bot.command("/db", "drop staging-pg defaultdb")
    answers = await bot.wait_webhook(3)
    assert sorted(a["text"] for a in answers) == [
        ":warning: Cluster cache-redis runs Caching (Redis), on which DigitalOcean offers no database "
        "management.",
        ':warning: Cluster prod-pg has no pool named "nosuch"; its pools are: reports, web.',
        ":warning: The default database defaultdb cannot be dropped: DigitalOcean does not allow it.",
    ]
