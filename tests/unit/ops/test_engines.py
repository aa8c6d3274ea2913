"""Which engines have database management, as DigitalOcean documents it, refused before any request.

- The spec's `/dbs` operations: "Database management is not supported for Caching or Valkey clusters."
- Kafka clusters hold topics, not databases (doctl `databases topics`), and OpenSearch clusters indexes
  (DigitalOcean's OpenSearch quickstart: only users can be managed): neither has databases to manage.
- MongoDB clusters have databases, with `admin` as the default that cannot be deleted (DigitalOcean's
  "How to Manage MongoDB Users and Databases"); `/backups` lists "a PostgreSQL or MySQL" cluster's backups.
"""

from __future__ import annotations

import pytest

from bot.ops import DatabaseOps, DbCreate, DbDrop, InvalidRequest, Outcome
from bot.sandbox import SandboxState
from bot.sandbox.model import SandboxCluster

KAFKA = "5a1e0000-0000-4000-8000-00000000ka01"
OPENSEARCH = "5a1e0000-0000-4000-8000-00000000os01"
MONGODB = "5a1e0000-0000-4000-8000-00000000mo01"


@pytest.fixture(autouse=True)
def more_engines(state: SandboxState) -> None:
    state.add_cluster(
        SandboxCluster(id=KAFKA, name="events-kafka", engine="kafka", version="3.8", size="db-s-2vcpu-4gb")
    )
    state.add_cluster(
        SandboxCluster(
            id=OPENSEARCH, name="logs-search", engine="opensearch", version="2", size="db-s-2vcpu-4gb"
        )
    )
    state.add_cluster(
        SandboxCluster(
            id=MONGODB,
            name="docs-mongo",
            engine="mongodb",
            version="7.0",
            size="db-s-2vcpu-4gb",
            dbs=["admin", "catalog"],
            backup_ages_hours=[2.0],
        )
    )


@pytest.mark.parametrize(("cluster", "label"), [("events-kafka", "Kafka"), ("logs-search", "OpenSearch")])
async def test_kafka_and_opensearch_have_no_database_management(
    ops: DatabaseOps, state: SandboxState, cluster: str, label: str
) -> None:
    await ops.list_clusters()
    state.reset_calls()
    sentence = f"cluster {cluster} runs {label}, on which DigitalOcean offers no database management"
    for command in (
        ops.list_databases(cluster),
        ops.plan(DbCreate(cluster=cluster, db="billing")),
        ops.plan(DbDrop(cluster=cluster, db="billing")),
    ):
        with pytest.raises(InvalidRequest) as caught:
            await command
        assert str(caught.value) == sentence
    assert state.calls == []  # refused before any request


async def test_mongodb_databases_are_created_and_dropped(ops: DatabaseOps, state: SandboxState) -> None:
    assert [db.name for db in await ops.list_databases("docs-mongo")] == ["admin", "catalog"]
    created = await ops.execute(await ops.plan(DbCreate(cluster="docs-mongo", db="reviews")))
    assert created.outcome is Outcome.APPLIED
    plan = await ops.plan(DbDrop(cluster="docs-mongo", db="reviews"))
    assert (await ops.execute(plan)).outcome is Outcome.APPLIED
    assert state.clusters[MONGODB].dbs == ["admin", "catalog"]


async def test_the_mongodb_default_database_admin_cannot_be_dropped(
    ops: DatabaseOps, state: SandboxState
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        await ops.plan(DbDrop(cluster="docs-mongo", db="admin"))
    assert str(caught.value) == "the default database admin cannot be dropped: DigitalOcean does not allow it"


async def test_a_mongodb_drop_warns_that_digitalocean_lists_no_backups_for_it(
    ops: DatabaseOps, state: SandboxState
) -> None:
    plan = await ops.plan(DbDrop(cluster="docs-mongo", db="catalog"))

    assert plan.warnings[-1] == (
        "DigitalOcean lists backups only for PostgreSQL and MySQL clusters: check the backups of docs-mongo "
        "before dropping"
    )
    assert plan.latest_backup_at is None
    assert state.calls_for("list_backups") == []
