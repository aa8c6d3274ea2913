"""The warnings a plan card carries for how pools really fail (issue 15, item 3), each on the cards it
belongs to and not on others, made without an extra DigitalOcean call."""

from __future__ import annotations

import yaml

from bot.digitalocean import Cluster
from bot.ops import DatabaseOps, DbCreate, DbDrop, PoolCreate, PoolDelete, PoolResize
from bot.ops.plan_warnings import cluster_warnings
from bot.sandbox import PROD_PG, SandboxPool, SandboxState
from tests.support.openapi import spec_path

TRANSACTION = (
    "in transaction mode a client of pool {pool} keeps a server connection only for one transaction: "
    "prepared statements fail unless the client turns them off, and session-level advisory locks, SET, "
    "LISTEN, temporary tables kept past a transaction and other session-level settings stop working"
)
STATEMENT = (
    "in statement mode a client of pool {pool} keeps a server connection only for one statement: "
    "transactions of several statements are refused, prepared statements fail unless the client turns "
    "them off, and session-level advisory locks, SET, LISTEN, temporary tables kept past a transaction and "
    "other session-level settings stop working"
)
SESSION = (
    "in session mode each client of pool {pool} holds one server connection for as long as it stays "
    "connected, so at most {size} clients can use the pool at once and the others wait"
)
DELETE = (
    "every client that connects through pool {pool} (clients give the pool's name as the database name) "
    "fails at once: its connections are closed and new ones are refused"
)


def _reads(state: SandboxState) -> int:
    return sum(1 for call in state.calls if call.method == "GET")


async def test_creating_a_transaction_pool_says_what_stops_working(ops: DatabaseOps) -> None:
    plan = await ops.plan(PoolCreate(cluster="prod-pg", pool="api", db="app", size=5, mode="transaction"))
    assert TRANSACTION.format(pool="api") in plan.warnings
    assert not any("session mode" in w or "statement mode" in w for w in plan.warnings)


async def test_creating_a_statement_pool_also_says_transactions_are_refused(ops: DatabaseOps) -> None:
    plan = await ops.plan(PoolCreate(cluster="prod-pg", pool="api", db="app", size=5, mode="statement"))
    assert STATEMENT.format(pool="api") in plan.warnings


async def test_creating_a_session_pool_says_its_size_caps_clients(ops: DatabaseOps) -> None:
    plan = await ops.plan(PoolCreate(cluster="prod-pg", pool="api", db="app", size=5, mode="session"))
    assert SESSION.format(pool="api", size=5) in plan.warnings
    assert not any("prepared statements" in w for w in plan.warnings)


async def test_switching_to_transaction_mode_says_what_stops_working(ops: DatabaseOps) -> None:
    plan = await ops.plan(PoolResize(cluster="prod-pg", pool="reports", mode="transaction"))
    assert plan.warnings == [TRANSACTION.format(pool="reports")]


async def test_switching_to_session_mode_names_the_new_size_as_the_cap(ops: DatabaseOps) -> None:
    plan = await ops.plan(PoolResize(cluster="prod-pg", pool="web", size=25, mode="session"))
    assert plan.warnings == [SESSION.format(pool="web", size=25)]


async def test_resizing_a_transaction_pool_keeps_its_mode_and_warns_of_nothing(ops: DatabaseOps) -> None:
    plan = await ops.plan(PoolResize(cluster="prod-pg", pool="web", size=22))
    assert plan.warnings == []


async def test_deleting_a_pool_says_its_clients_fail_at_once(ops: DatabaseOps) -> None:
    plan = await ops.plan(PoolDelete(cluster="prod-pg", pool="web"))
    assert plan.warnings == [DELETE.format(pool="web")]


async def test_a_pool_whose_user_and_database_are_gone_is_named_on_resize_and_delete(
    ops: DatabaseOps, state: SandboxState
) -> None:
    cluster = state.clusters[PROD_PG]
    cluster.users = [user for user in cluster.users if user.name != "reporting"]
    cluster.dbs = [db for db in cluster.dbs if db != "orders"]
    gone = [
        "pool reports uses database orders, which no longer exists on prod-pg: its clients cannot connect",
        "pool reports connects as user reporting, which no longer exists on prod-pg: its clients cannot "
        "connect",
    ]
    resize = await ops.plan(PoolResize(cluster="prod-pg", pool="reports", size=11))
    assert resize.warnings == [*gone, SESSION.format(pool="reports", size=11)]
    delete = await ops.plan(PoolDelete(cluster="prod-pg", pool="reports"))
    assert delete.warnings == [DELETE.format(pool="reports"), *gone]
    other = await ops.plan(PoolDelete(cluster="prod-pg", pool="web"))
    assert other.warnings == [DELETE.format(pool="web")]
    shown = await ops.show_pool("prod-pg", "reports")
    assert shown.warnings == gone
    assert (await ops.show_pool("prod-pg", "web")).warnings == []


async def test_maintenance_pending_is_on_every_card_of_that_cluster_only(
    ops: DatabaseOps, state: SandboxState
) -> None:
    state.clusters[PROD_PG].maintenance_pending = ["Upgrade to PostgreSQL 16.4"]
    pending = (
        "cluster prod-pg has maintenance pending for its next window (tuesday 02:00:00 UTC), which can "
        "briefly interrupt its connections"
    )
    for change in (
        PoolResize(cluster="prod-pg", pool="web", size=22),
        PoolDelete(cluster="prod-pg", pool="web"),
        DbCreate(cluster="prod-pg", db="billing"),
        DbDrop(cluster="prod-pg", db="app"),
    ):
        assert (await ops.plan(change)).warnings[-1] == pending
    elsewhere = await ops.plan(PoolResize(cluster="staging-pg", pool="staging-web", size=11))
    assert not any("maintenance" in w for w in elsewhere.warnings)


async def test_a_cluster_whose_status_is_not_given_is_said_so(ops: DatabaseOps, state: SandboxState) -> None:
    state.clusters[PROD_PG].status = None  # type: ignore[assignment]  # DigitalOcean may leave it out
    plan = await ops.plan(PoolResize(cluster="prod-pg", pool="web", size=22))
    assert plan.warnings == ["DigitalOcean does not say whether cluster prod-pg is online"]


async def test_the_warnings_cost_no_extra_call(ops: DatabaseOps, state: SandboxState) -> None:
    state.add_pool(PROD_PG, SandboxPool(name="stale", mode="session", size=2, db="gone", user="nobody"))
    state.clusters[PROD_PG].maintenance_pending = ["Upgrade"]
    await ops.plan(PoolDelete(cluster="prod-pg", pool="stale"))
    # the cluster listing and the pools: the warnings read nothing more
    assert _reads(state) == 2


def test_the_spec_example_cluster_with_maintenance_pending_is_warned_of() -> None:
    path = spec_path()
    assert path is not None
    spec = yaml.safe_load(path.read_text())
    example = spec["components"]["responses"]["database_cluster"]["content"]["application/json"]["example"]
    cluster = Cluster.model_validate(example["database"])
    assert cluster_warnings(cluster) == [
        "cluster backend is creating, not online",
        "cluster backend has maintenance pending for its next window (saturday 08:45:12 UTC), which can "
        "briefly interrupt its connections",
    ]
    assert [user.name for user in cluster.users or []] == ["doadmin"]
