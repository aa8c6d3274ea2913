"""Long listings come in pages of at most 4,000 characters; beyond five pages the rest is counted."""

from __future__ import annotations

import json
from typing import Any

from bot.digitalocean import Cluster, ClusterStatus, Engine, Pool, PoolMode
from bot.ops import Database
from bot.ops.views import PoolListing
from bot.slack.renderers.listings import MAX_PAGES, db_list_pages, pool_list_pages


def _listing(count: int) -> PoolListing:
    cluster = Cluster(
        id="9cc10173-e9ea-4176-9dbc-a4cee4c4ff30",
        name="prod-pg",
        engine=Engine.PG,
        num_nodes=1,
        size="db-s-2vcpu-4gb",
        region="nyc3",
        version="16",
        status=ClusterStatus.ONLINE,
    )
    pools = [
        Pool(name=f"tenant-{n:04d}", mode=PoolMode.TRANSACTION, size=1, db="app", user="app")
        for n in range(count)
    ]
    return PoolListing(cluster=cluster, pools=pools, capacity=None)


def _text_length(blocks: list[dict[str, Any]]) -> int:
    """The characters a person reads: section texts and context elements."""
    sections = sum(len(b.get("text", {}).get("text", "")) for b in blocks)
    return sections + sum(len(e.get("text", "")) for b in blocks for e in b.get("elements", []))


def test_a_short_listing_is_one_answer_without_page_numbers() -> None:
    [page] = pool_list_pages(_listing(3))
    assert page.text == "prod-pg has 3 connection pools."
    assert "page" not in json.dumps([b.to_dict() for b in page.blocks])


def test_a_listing_too_long_for_five_pages_says_how_many_are_not_shown() -> None:
    pages = pool_list_pages(_listing(1000))
    assert len(pages) == MAX_PAGES
    assert pages[0].text == f"prod-pg has 1000 connection pools (page 1 of {MAX_PAGES})."
    shown = sum(json.dumps([b.to_dict() for b in p.blocks]).count("`tenant-") for p in pages)
    footer = pages[-1].blocks[-1].to_dict()
    assert f"{1000 - shown} more pools not shown (list shortened)." in json.dumps(footer)
    for page in pages:
        text = "".join(
            str(b.to_dict().get("text", {}).get("text", ""))
            for b in page.blocks  # type: ignore[union-attr]
        )
        assert len(text) <= 4000


def test_database_listings_page_the_same_way() -> None:
    databases = [Database(name=f"db_{n:04d}") for n in range(600)]
    pages = db_list_pages("prod-pg", databases)
    assert len(pages) > 1
    assert pages[-1].text.endswith(f"(page {len(pages)} of {len(pages)}).")
