"""The protected-database rule has one owner, the service layer (issue 14, item 2): asked through the real
path (Slack → engine → service layer → DigitalOcean's stand-in), a drop of a database the policy protects is
refused with its sentence, from the command and from the form, and nothing is asked for."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml

from bot.sandbox import PROD_PG
from bot.slack import ids
from tests.integration.slack.harness import Harness, running_bot
from tests.support.team import policy_yaml

REFUSAL = "Database orders is protected by policy and cannot be dropped."


@pytest.fixture
async def guarded(tmp_path: Path) -> AsyncIterator[Harness]:
    """A bot whose policy protects `orders` too (a database that is not its engine's default)."""
    policy = yaml.safe_load(policy_yaml())
    policy["protected_databases"] = ["defaultdb", "orders"]
    async with running_bot(tmp_path, policy_yaml=yaml.safe_dump(policy)) as harness:
        yield harness


async def test_a_protected_database_is_refused_from_the_command(guarded: Harness) -> None:
    await guarded.command("/db", "drop prod-pg orders")
    [answer] = await guarded.wait_webhook()
    assert answer["text"] == f":warning: {REFUSAL}"
    assert guarded.cards() == []
    assert await guarded.store.list_requests() == []
    [event] = await guarded.store.events()
    assert event.kind == "refused"
    assert [c for c in guarded.sandbox.calls if c.method != "GET"] == []


async def test_a_protected_database_is_refused_on_the_forms_database_field(guarded: Harness) -> None:
    view_id = await guarded.open_form("/db", "drop")
    await guarded.choose(view_id, ids.CLUSTER_SELECT, PROD_PG)
    await guarded.choose(view_id, ids.DB_SELECT, "orders")
    guarded.type(view_id, ids.CONFIRM_INPUT, "orders")
    response = await guarded.submit_form(view_id)
    db_block, _ = guarded.slack.forms.element(view_id, ids.DB_SELECT)
    assert response.json() == {"response_action": "errors", "errors": {db_block: REFUSAL}}
    assert await guarded.store.list_requests() == []
