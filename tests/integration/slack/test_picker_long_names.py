"""A picker offers only names that exist: a database whose name is longer than an option value may be
(150 characters, Slack's limit) must not be offered under a cut name, which names another database or none
(issue 13: no name may change what is acted on; DigitalOcean-supplied names are untrusted)."""

from __future__ import annotations

from bot.sandbox import SandboxCluster
from bot.sandbox.model import SandboxPool
from bot.slack import ids
from tests.integration.slack.harness import Harness

CLUSTER_ID = "00000000-0000-4000-8000-00000000a150"
STEM = "d" * 150


async def test_the_database_picker_never_offers_a_cut_name_that_names_another_database(
    bot: Harness,
) -> None:
    names = ["defaultdb", STEM, STEM + "-archive"]
    bot.sandbox.add_cluster(
        SandboxCluster(
            id=CLUSTER_ID, name="long-names-pg", engine="pg", version="16", size="db-s-1vcpu-1gb", dbs=names
        )
    )
    view_id = await bot.open_form("/db", "drop")
    await bot.choose(view_id, ids.CLUSTER_SELECT, CLUSTER_ID, text="long-names-pg")
    offered = await bot.suggest(view_id, ids.DB_SELECT, "")
    assert "defaultdb" in offered
    # choosing the option labelled "ddd…-archive" must never submit (and drop) "ddd…" instead
    assert len(offered) == len(set(offered)), offered
    assert set(offered) <= set(names)


async def test_the_pool_picker_never_offers_a_cut_name_so_delete_cannot_hit_another_pool(
    bot: Harness,
) -> None:
    # /pool delete has no typed confirmation: the option chosen is the pool deleted
    bot.sandbox.add_cluster(
        SandboxCluster(
            id=CLUSTER_ID, name="long-names-pg", engine="pg", version="16", size="db-s-1vcpu-1gb", dbs=["app"]
        )
    )
    pools = ["p" * 150, "p" * 150 + "-canary"]
    for name in pools:
        bot.sandbox.add_pool(CLUSTER_ID, SandboxPool(name, "transaction", 1, "app", "app"))
    view_id = await bot.open_form("/pool", "delete")
    await bot.choose(view_id, ids.CLUSTER_SELECT, CLUSTER_ID, text="long-names-pg")
    offered = await bot.suggest(view_id, ids.POOL_SELECT, "")
    assert len(offered) == len(set(offered)), "two options carry one value"
    assert set(offered) <= set(pools)
