"""A pool mode DigitalOcean sends that the bot does not know is shown as it is, escaped (issue 12.7)."""

from __future__ import annotations

import json

from bot.digitalocean import Cluster, Engine, Pool
from bot.ops.views import PoolListing, PoolView
from bot.slack.renderers.listings import pool_list_pages, pool_show_blocks

CLUSTER = Cluster(
    id="c1", name="prod-pg", engine=Engine.PG, num_nodes=1, size="db-s-2vcpu-4gb", region="nyc3"
)
POOL = Pool(name="odd", mode="<!channel> *burst*", size=0, db="app")


def test_an_unknown_mode_is_listed_and_shown_escaped() -> None:
    for blocks in (
        pool_list_pages(PoolListing(cluster=CLUSTER, pools=[POOL], capacity=None))[0].blocks,
        pool_show_blocks(PoolView(cluster=CLUSTER, pool=POOL, capacity=None)),
    ):
        text = json.dumps([block.to_dict() for block in blocks])
        assert "&lt;!channel&gt; *burst*" in text
        assert "<!channel>" not in text
