"""The models read what DigitalOcean sends, including values newer than this version knows."""

from __future__ import annotations

import pytest

from bot.digitalocean import Cluster, ClusterStatus, ram_gb_from_size_slug
from bot.ops.clusters import require_online
from bot.ops.errors import InvalidRequest

BASE = {
    "id": "9cc10173-e9ea-4176-9dbc-a4cee4c4ff30",
    "name": "prod-pg",
    "engine": "pg",
    "num_nodes": 1,
    "size": "db-s-2vcpu-4gb",
    "region": "nyc3",
}


def test_a_known_status_is_the_enum() -> None:
    assert Cluster.model_validate({**BASE, "status": "online"}).status is ClusterStatus.ONLINE


def test_a_status_this_version_does_not_know_is_kept_and_treated_as_not_online() -> None:
    cluster = Cluster.model_validate({**BASE, "status": "upgrading"})
    assert cluster.status == "upgrading"
    with pytest.raises(InvalidRequest) as refused:
        require_online(cluster)
    assert str(refused.value) == "cluster prod-pg is upgrading, not online; try again when it is online"


@pytest.mark.parametrize(
    ("slug", "ram"),
    [
        ("db-s-1vcpu-1gb", 1),
        ("db-s-2vcpu-4gb", 4),
        ("gd-8vcpu-32gb-intel", 32),
        ("so1_5-2vcpu-16gb", 16),
        ("db-amd-16vcpu-64gb", 64),
        ("custom-slug", None),
    ],
)
def test_ram_comes_from_the_size_slug(slug: str, ram: int | None) -> None:
    assert ram_gb_from_size_slug(slug) == ram
