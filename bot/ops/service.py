"""`DatabaseOps`: the one entry point of the service layer (plan, execute, reconcile, and the reads)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from bot.digitalocean import Cluster, Database, DatabaseUser, DigitalOceanClient

from .cache import TtlCache
from .changes import Action, Change
from .clusters import pick_cluster, require_database_management, require_online, require_postgres
from .context import Context, Operation, describe_drift
from .databases import CreateDatabase, DropDatabase
from .errors import ClusterNotFound, InvalidRequest, OpsError, StalePlan
from .plan import ExecutionResult, Outcome, Plan, Snapshot
from .plan_warnings import orphan_warnings
from .pools import CreatePool, DeletePool, ResizePool, find_pool, pool_capacity
from .rules import listing
from .upstream import Calls
from .views import PoolListing, PoolView

__all__ = ["DEFAULT_CACHE_TTL", "DatabaseOps"]

log = logging.getLogger(__name__)

DEFAULT_CACHE_TTL = 30.0


class DatabaseOps:
    """Validate, plan, execute (once), verify and reconcile changes to DigitalOcean Managed Databases.

    `cluster_tag` limits every read and change to clusters carrying that tag. `protected_databases` can
    never be dropped. The cluster list is cached for `cache_ttl` seconds of `clock`, and dropped after
    every write.
    """

    def __init__(
        self,
        client: DigitalOceanClient,
        *,
        cluster_tag: str | None = None,
        protected_databases: frozenset[str] = frozenset({"defaultdb"}),
        cache_ttl: float = DEFAULT_CACHE_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._tag = cluster_tag or None
        self._clusters: TtlCache[list[Cluster]] = TtlCache(cache_ttl, clock)
        self._operations: dict[Action, Operation] = {
            Action.POOL_CREATE: CreatePool(),
            Action.POOL_RESIZE: ResizePool(),
            Action.POOL_DELETE: DeletePool(),
            Action.DB_CREATE: CreateDatabase(),
            Action.DB_DROP: DropDatabase(protected_databases),
        }

    # ---- reads ----------------------------------------------------------------------------------

    async def list_clusters(self) -> list[Cluster]:
        """The clusters the bot manages (those carrying `cluster_tag`, when set), sorted by name."""
        return await self._cluster_list(Calls())

    async def resolve_cluster(self, ref: str) -> Cluster:
        """The cluster named by `ref` (name or UUID, or an unambiguous prefix of either)."""
        return pick_cluster(await self._cluster_list(Calls()), ref, tag=self._tag)

    async def list_pools(self, ref: str) -> PoolListing:
        ctx = await self._context(ref, Calls())
        require_postgres(ctx.cluster)
        pools = sorted(await ctx.pools(), key=lambda pool: pool.name)
        return PoolListing(cluster=ctx.cluster, pools=pools, capacity=pool_capacity(ctx, pools))

    async def show_pool(self, ref: str, name: str) -> PoolView:
        listing_ = await self.list_pools(ref)
        pool = find_pool(listing_.pools, name)
        if pool is None:
            raise InvalidRequest(
                f'cluster {listing_.cluster.name} has no pool named "{name}"; its pools are: '
                f"{listing(p.name for p in listing_.pools)}",
                field="pool",
            )
        return PoolView(
            cluster=listing_.cluster,
            pool=pool,
            capacity=listing_.capacity,
            warnings=orphan_warnings(listing_.cluster, pool),
        )

    async def list_databases(self, ref: str) -> list[Database]:
        ctx = await self._context(ref, Calls())
        require_database_management(ctx.cluster)
        dbs = await ctx.calls.read(f"cluster {ctx.cluster.name}", self._client.list_databases(ctx.cluster.id))
        return sorted(dbs, key=lambda db: db.name)

    async def list_users(self, ref: str) -> list[DatabaseUser]:
        ctx = await self._context(ref, Calls())
        users = await ctx.calls.read(f"cluster {ctx.cluster.name}", self._client.list_users(ctx.cluster.id))
        return sorted(users, key=lambda user: user.name)

    # ---- changes --------------------------------------------------------------------------------

    async def plan(self, change: Change) -> Plan:
        """Validate `change` against every rule and DigitalOcean's current state; raise or return the plan."""
        calls = Calls()
        ctx = await self._context(change.cluster, calls)
        plan = await self._operations[change.action].plan(ctx, change)
        log.info("planned %s (%d DigitalOcean calls)", plan.summary, calls.count)
        return plan

    async def execute(self, plan: Plan) -> ExecutionResult:
        """Re-read the state, refuse if it drifted from the plan, make the one write, and read it back."""
        calls = Calls()
        operation = self._operations[plan.action]
        ctx = Context(self._client, calls, await self._cluster_by_id(plan, calls))
        require_online(ctx.cluster)
        current = await operation.observe(ctx, plan)
        if current != plan.before:
            noun = _noun(plan)
            drift = describe_drift(noun, plan.before, current)
            log.info("refused stale plan %s: %s", plan.summary, drift)
            raise StalePlan(f"the plan is stale: {drift} since the request")
        await operation.check(ctx, plan)
        try:
            await operation.write(ctx, plan, current)
        finally:
            self._clusters.clear()
        ctx.forget()
        try:
            observed = await operation.observe(ctx, plan)
        except OpsError as error:
            log.warning("%s was accepted but could not be read back: %s", plan.summary, error)
            return ExecutionResult(
                outcome=Outcome.APPLIED,
                observed=None,
                message=f"{operation.done(plan)}; DigitalOcean accepted it, but reading back failed: {error}",
                calls=calls.count,
            )
        if observed == plan.after:
            log.info("executed %s (%d DigitalOcean calls)", plan.summary, calls.count)
            return ExecutionResult(
                outcome=Outcome.APPLIED, observed=observed, message=operation.done(plan), calls=calls.count
            )
        log.warning("executed %s but read back %s", plan.summary, observed)
        return ExecutionResult(
            outcome=Outcome.CONFLICT,
            observed=observed,
            message=(
                f"DigitalOcean accepted the change, but {_noun(plan)} on {plan.cluster_name} now reads "
                f"{_show(observed)} instead of {_show(plan.after)}"
            ),
            calls=calls.count,
        )

    async def reconcile(self, plan: Plan) -> ExecutionResult:
        """Decide from DigitalOcean's state whether an unknown-outcome write took effect; never repeat it."""
        calls = Calls()
        operation = self._operations[plan.action]
        ctx = Context(self._client, calls, await self._cluster_by_id(plan, calls))
        observed = await operation.observe(ctx, plan)
        noun = _noun(plan)
        if observed == plan.after:
            outcome, message = Outcome.APPLIED, f"the change took effect: {operation.done(plan)}"
        elif observed == plan.before:
            outcome = Outcome.NOT_APPLIED
            message = f"the change did not take effect: {noun} on {plan.cluster_name} is as it was"
        else:
            outcome = Outcome.CONFLICT
            message = (
                f"{noun} on {plan.cluster_name} matches neither the plan's before nor its after: it now "
                f"reads {_show(observed)}"
            )
        log.info("reconciled %s: %s (%d DigitalOcean calls)", plan.summary, outcome.value, calls.count)
        return ExecutionResult(outcome=outcome, observed=observed, message=message, calls=calls.count)

    # ---- helpers --------------------------------------------------------------------------------

    async def _cluster_list(self, calls: Calls) -> list[Cluster]:
        async def load() -> list[Cluster]:
            clusters = await calls.read("the database clusters", self._client.list_clusters(self._tag))
            return sorted(clusters, key=lambda cluster: cluster.name)

        return list(await self._clusters.get(load))

    async def _context(self, ref: str, calls: Calls) -> Context:
        cluster = pick_cluster(await self._cluster_list(calls), ref, tag=self._tag)
        return Context(self._client, calls, cluster)

    async def _cluster_by_id(self, plan: Plan, calls: Calls) -> Cluster:
        clusters = await self._cluster_list(calls)
        for cluster in clusters:
            if cluster.id == plan.cluster_id:
                return cluster
        scope = f" tagged {self._tag}" if self._tag else ""
        raise ClusterNotFound(
            f"cluster {plan.cluster_name} is no longer among the clusters{scope} the bot manages",
            candidates=[cluster.name for cluster in clusters],
        )


def _noun(plan: Plan) -> str:
    return f"pool {plan.target}" if plan.action.value.startswith("pool.") else f"database {plan.target}"


def _show(snapshot: Snapshot | None) -> str:
    if snapshot is None:
        return "nothing (it does not exist)"
    return ", ".join(
        f"{key} {value if value is not None else '(none)'}" for key, value in snapshot.fields().items()
    )
