"""`/pool show` names what is wrong with a pool (its user or database is gone), escaped and within Slack's
limits however long the name DigitalOcean sends."""

from __future__ import annotations

import json

from bot.digitalocean import Cluster, DatabaseUser, Engine, Pool
from bot.ops.plan_warnings import orphan_warnings
from bot.ops.views import PoolView
from bot.slack.renderers.blocks import MAX_SECTION
from bot.slack.renderers.listings import pool_show_blocks

CLUSTER = Cluster(
    id="c1",
    name="prod-pg",
    engine=Engine.PG,
    num_nodes=1,
    size="db-s-2vcpu-4gb",
    region="nyc3",
    db_names=["defaultdb", "app"],
    users=[DatabaseUser(name="doadmin"), DatabaseUser(name="app")],
)


def _show(pool: Pool) -> list[dict[str, object]]:
    view = PoolView(cluster=CLUSTER, pool=pool, capacity=None, warnings=orphan_warnings(CLUSTER, pool))
    return [block.to_dict() for block in pool_show_blocks(view)]


def test_a_pool_with_its_users_and_database_is_shown_without_a_warning() -> None:
    assert ":warning:" not in json.dumps(
        _show(Pool(name="web", mode="transaction", size=5, db="app", user="app"))
    )


def test_a_gone_user_with_mrkdwn_and_10000_characters_is_escaped_and_clipped() -> None:
    user = "<!here> *x*" + "u" * 10_000
    blocks = _show(Pool(name="web", mode="transaction", size=5, db="gone", user=user))
    text = json.dumps(blocks)
    assert "Pool web uses database gone, which no longer exists on prod-pg" in text
    assert "&lt;!here&gt; *x*" in text
    assert "<!here>" not in text
    sections = [str(b["text"]["text"]) for b in blocks if b["type"] == "section" and "text" in b]  # type: ignore[index]
    assert all(len(section) <= MAX_SECTION for section in sections)
