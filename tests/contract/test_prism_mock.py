"""The client and the service layer against `prism mock` of DigitalOcean's spec, static and `--dynamic`.

Prism answers with the spec's examples (static) or with values generated from its schemas (dynamic):
anything the spec allows, such as a pool mode that is any string, size 0, a cluster without an `id`.
Every answer must be parsed, or refused for a stated reason (a `DigitalOceanError` from the client, an
`OpsError` from the service layer), and never crash a command: reads, plans, and the execution of a plan
(its write and the read-back that verifies it) and its reconciliation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable

import httpx
import pytest

from bot.digitalocean import DigitalOceanClient, DigitalOceanError, PoolMode, PoolSpec, RetryPolicy
from bot.ops import DatabaseOps, DbCreate, DbDrop, OpsError, PoolCreate, PoolDelete, PoolResize
from bot.ops.changes import Change
from bot.ops.plan import ExecutionResult, Outcome

from .prism import run_prism, the_spec

pytestmark = pytest.mark.contract

CLUSTER = "9cc10173-e9ea-4176-9dbc-a4cee4c4ff30"
POOL = PoolSpec(name="web", mode=PoolMode.TRANSACTION, size=20, db="app", user="app")
ROUNDS = {"static": 1, "dynamic": 20}

ClientCall = Callable[[DigitalOceanClient], Awaitable[object]]
CLIENT_CALLS: dict[str, ClientCall] = {
    "list_options": lambda do: do.list_options(),
    "list_clusters": lambda do: do.list_clusters(),
    "list_clusters tag_name": lambda do: do.list_clusters(tag_name="production"),
    "get_cluster": lambda do: do.get_cluster(CLUSTER),
    "list_users": lambda do: do.list_users(CLUSTER),
    "list_databases": lambda do: do.list_databases(CLUSTER),
    "get_database": lambda do: do.get_database(CLUSTER, "app"),
    "add_database": lambda do: do.add_database(CLUSTER, "billing"),
    "delete_database": lambda do: do.delete_database(CLUSTER, "billing"),
    "list_backups": lambda do: do.list_backups(CLUSTER),
    "list_pools": lambda do: do.list_pools(CLUSTER),
    "get_pool": lambda do: do.get_pool(CLUSTER, "web"),
    "add_pool": lambda do: do.add_pool(CLUSTER, POOL),
    "update_pool": lambda do: do.update_pool(CLUSTER, POOL),
    "delete_pool": lambda do: do.delete_pool(CLUSTER, "web"),
}


async def _commands(ops: DatabaseOps) -> list[Callable[[], Awaitable[object]]]:
    """Every command of the service layer, aimed at the first cluster the mock lists (if any)."""
    clusters = await ops.list_clusters()
    ref = clusters[0].name if clusters else CLUSTER
    pool = PoolCreate(cluster=ref, pool="batch", db="app", size=5, mode="session")
    return [
        lambda: ops.resolve_cluster(ref),
        lambda: ops.list_pools(ref),
        lambda: ops.show_pool(ref, "web"),
        lambda: ops.list_databases(ref),
        lambda: ops.list_users(ref),
        lambda: ops.plan(pool),
        lambda: ops.plan(PoolResize(cluster=ref, pool="web", size=7)),
        lambda: ops.plan(PoolDelete(cluster=ref, pool="web")),
        lambda: ops.plan(DbCreate(cluster=ref, db="billing")),
        lambda: ops.plan(DbDrop(cluster=ref, db="app")),
    ]


@pytest.mark.parametrize("mode", ["static", "dynamic"])
async def test_every_answer_prism_generates_is_parsed_or_refused_for_a_reason(mode: str) -> None:
    args = ["mock", str(the_spec())] + (["--dynamic"] if mode == "dynamic" else [])
    parsed: Counter[str] = Counter()
    refused: dict[str, list[str]] = {}
    reasons: list[str] = []
    commands = 0
    async with (
        run_prism(*args) as url,
        DigitalOceanClient("dop_v1_prism", base_url=url, retry=RetryPolicy(attempts=1)) as do,
    ):
        ops = DatabaseOps(do, cache_ttl=0.0)
        for _ in range(ROUNDS[mode]):
            for name, call in CLIENT_CALLS.items():
                try:
                    await call(do)
                    parsed[name] += 1
                except DigitalOceanError as error:
                    refused.setdefault(name, []).append(str(error))
            for command in await _commands(ops):
                try:
                    await command()
                except OpsError as error:
                    reasons.append(str(error))
                commands += 1

    assert commands == 10 * ROUNDS[mode]  # every command ended in an answer or a refusal, none crashed
    assert all(reasons), "every refusal says why"
    # Everything Prism generates follows the spec, so the client reads every answer of every operation.
    assert refused == {}
    assert parsed == Counter({name: ROUNDS[mode] for name in CLIENT_CALLS})


async def _changes(ops: DatabaseOps) -> list[Change]:
    """One change of each kind on the first cluster the mock lists, aimed at a pool and a database the mock
    lists there (so that a plan can be made), else at the names the reads use."""
    clusters = await ops.list_clusters()
    ref = clusters[0].name if clusters else CLUSTER
    try:
        pools = [p.name for p in (await ops.list_pools(ref)).pools]
        dbs = [d.name for d in await ops.list_databases(ref)]
    except OpsError:
        pools, dbs = [], []
    pool, db = (pools or ["web"])[0], (dbs or ["app"])[0]
    return [
        PoolCreate(cluster=ref, pool="batch", db=db, size=1, mode="session"),
        PoolResize(cluster=ref, pool=pool, size=2),
        PoolDelete(cluster=ref, pool=pool),
        DbCreate(cluster=ref, db="billing"),
        DbDrop(cluster=ref, db=db),
    ]


async def _steady_cluster_list(request: httpx.Request) -> None:
    """Prism's `Prefer: dynamic=false` for the cluster list only: with a new list at every call, no plan
    (made on one read, executed on the next, which finds the cluster by id) could ever be executed. Every
    other answer (pools, databases, the write's own answer, the read-back) stays generated."""
    if request.method == "GET" and request.url.path == "/v2/databases":
        request.headers["Prefer"] = "dynamic=false"


@pytest.mark.parametrize("mode", ["static", "dynamic"])
async def test_executing_verifying_and_reconciling_on_prism_answers_end_in_an_outcome_or_a_reason(
    mode: str,
) -> None:
    args = ["mock", str(the_spec())] + (["--dynamic"] if mode == "dynamic" else [])
    outcomes: Counter[str] = Counter()
    reasons: list[str] = []
    planned = 0
    async with (
        run_prism(*args) as url,
        httpx.AsyncClient(base_url=url, event_hooks={"request": [_steady_cluster_list]}) as http,
        DigitalOceanClient("dop_v1_prism", http=http, retry=RetryPolicy(attempts=1)) as do,
    ):
        ops = DatabaseOps(do, cache_ttl=0.0)
        for _ in range(ROUNDS[mode]):
            for change in await _changes(ops):
                try:
                    plan = await ops.plan(change)
                except OpsError as error:
                    reasons.append(str(error))
                    continue
                planned += 1
                # execute: re-read, write, read back (the verification); then reconcile as after a crash
                for step in (ops.execute, ops.reconcile):
                    try:
                        result = await step(plan)
                    except OpsError as error:
                        reasons.append(str(error))
                        continue
                    assert isinstance(result, ExecutionResult)
                    assert result.message, "every outcome says what was observed"
                    outcomes[f"{step.__name__} {result.outcome.value}"] += 1

    assert all(reasons), "every refusal says why"
    assert planned > 0, "no plan could be made from Prism's answers: execution was never exercised"
    # the writes and their read-backs were made on generated answers, and reconciliation read them
    assert outcomes["execute applied"] + outcomes["execute conflict"] > 0, outcomes
    assert sum(n for step, n in outcomes.items() if step.startswith("reconcile")) > 0, outcomes
    assert set(outcomes) <= {f"{s} {o.value}" for s in ("execute", "reconcile") for o in Outcome}
