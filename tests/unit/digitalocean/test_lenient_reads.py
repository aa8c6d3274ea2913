"""What the spec allows is read, even where dbops would not write it (issue 12.7): a pool `mode` is any
string and its `size` any integer (0 included); a cluster's `id` and `backups` may be absent or null.
One unexpected value must not make the whole list unreadable."""

from __future__ import annotations

import pytest
import respx

from bot.digitalocean import DigitalOceanClient, PoolMode

from . import fixtures as fx

PROD = f"/v2/databases/{fx.PROD_PG_ID}"


async def test_a_pool_mode_the_bot_does_not_know_and_size_0_are_read_as_they_are(
    api: respx.MockRouter, client: DigitalOceanClient
) -> None:
    odd = {**fx.BATCH_POOL, "name": "odd", "mode": "*burst* <mode>", "size": 0}
    api.get(f"{PROD}/pools").respond(200, json={"pools": [fx.WEB_POOL, odd]})

    web, read = await client.list_pools(fx.PROD_PG_ID)

    assert web.mode is PoolMode.TRANSACTION
    assert (read.name, read.mode, read.size) == ("odd", "*burst* <mode>", 0)
    assert not isinstance(read.mode, PoolMode)


@pytest.mark.parametrize("missing", [{"id": None}, {}], ids=["null id", "no id"])
async def test_a_cluster_without_an_id_is_left_out_of_the_list_not_fatal(
    api: respx.MockRouter,
    client: DigitalOceanClient,
    caplog: pytest.LogCaptureFixture,
    missing: dict[str, None],
) -> None:
    anonymous = {k: v for k, v in fx.CLUSTERS["databases"][0].items() if k != "id"}
    anonymous = {**anonymous, "name": "anonymous", "backups": None, **missing}
    api.get("/v2/databases").respond(200, json={"databases": [anonymous, *fx.CLUSTERS["databases"]]})

    clusters = await client.list_clusters()

    assert [c.name for c in clusters] == ["prod-pg", "staging-pg", "cache-redis"]
    assert "leaving out cluster anonymous: DigitalOcean's answer gives it no id" in caplog.text


async def test_a_cluster_read_by_id_without_an_id_in_the_answer_keeps_the_id_asked_for(
    api: respx.MockRouter, client: DigitalOceanClient
) -> None:
    body = {k: v for k, v in fx.CLUSTER["database"].items() if k != "id"}
    api.get(PROD).respond(200, json={"database": {**body, "backups": None}})

    cluster = await client.get_cluster(fx.PROD_PG_ID)

    assert (cluster.id, cluster.name) == (fx.PROD_PG_ID, "prod-pg")
