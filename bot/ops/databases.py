"""Database operations: create and drop."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from .changes import Change, DbCreate, DbDrop
from .clusters import require_database_management, require_online
from .context import Context
from .errors import InvalidRequest, OpsError
from .plan import DatabaseSnapshot, Plan, Snapshot
from .rules import check_addressable, check_database_name

__all__ = ["BACKUP_FRESHNESS", "DEFAULT_DATABASE", "CreateDatabase", "DropDatabase"]

DEFAULT_DATABASE = "defaultdb"  # PostgreSQL's and MySQL's; `Engine.default_database` has each engine's
BACKUP_FRESHNESS = timedelta(hours=24)
"""A drop's plan warns when the cluster's latest backup is older than this."""


class _DatabaseOperation:
    async def observe(self, ctx: Context, plan: Plan) -> Snapshot | None:
        found = plan.target in await ctx.databases(fresh=True)
        return DatabaseSnapshot(name=plan.target) if found else None

    async def check(self, ctx: Context, plan: Plan) -> None:
        return None


class CreateDatabase(_DatabaseOperation):
    async def plan(self, ctx: Context, change: Change) -> Plan:
        assert isinstance(change, DbCreate)
        require_database_management(ctx.cluster)
        require_online(ctx.cluster)
        check_database_name(change.db)
        if change.db in await ctx.databases():
            raise InvalidRequest(
                f"cluster {ctx.cluster.name} already has a database named {change.db}", field="db"
            )
        return ctx.plan(change, target=change.db, before=None, after=DatabaseSnapshot(name=change.db))

    async def write(self, ctx: Context, plan: Plan, current: Snapshot | None) -> None:
        await ctx.calls.write(
            f"cluster {ctx.cluster.name}",
            f"creating database {plan.target} on {ctx.cluster.name}",
            ctx.client.add_database(ctx.cluster.id, plan.target),
        )

    def done(self, plan: Plan) -> str:
        return f"created database {plan.target} on {plan.cluster_name}"


class DropDatabase(_DatabaseOperation):
    def __init__(
        self, protected: frozenset[str], *, now: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._protected = protected
        self._now = now

    async def check(self, ctx: Context, plan: Plan) -> None:
        # The policy may have come to protect the database since the request.
        self._refuse_protected(ctx, plan.target)

    def _refuse_protected(self, ctx: Context, db: str) -> None:
        default = ctx.cluster.engine.default_database
        if db == default:
            raise InvalidRequest(
                f"the default database {default} cannot be dropped: DigitalOcean does not allow it",
                field="db",
            )
        if db in self._protected:
            raise InvalidRequest(f"database {db} is protected by policy and cannot be dropped", field="db")

    async def plan(self, ctx: Context, change: Change) -> Plan:
        assert isinstance(change, DbDrop)
        require_database_management(ctx.cluster)
        require_online(ctx.cluster)
        self._refuse_protected(ctx, change.db)
        await ctx.require_database(change.db)
        check_addressable(
            change.db, noun="database", field="db", verb="dropped", instead="drop it with SQL instead"
        )
        warnings = [f"dropping {change.db} deletes all of its data"]
        dependent: list[str] = []
        if ctx.cluster.engine.is_postgres:
            dependent = sorted(pool.name for pool in await ctx.pools() if pool.db == change.db)
        if dependent:
            noun = "pool" if len(dependent) == 1 else "pools"
            verb = "uses" if len(dependent) == 1 else "use"
            warnings.append(f"{noun} {', '.join(dependent)} {verb} {change.db} and would break")
        latest, backup_warning = await self._latest_backup(ctx)
        if backup_warning:
            warnings.append(backup_warning)
        return ctx.plan(
            change,
            target=change.db,
            before=DatabaseSnapshot(name=change.db),
            after=None,
            warnings=warnings,
            dependent_pools=dependent,
            backup_checked=True,
            latest_backup_at=latest,
        )

    async def _latest_backup(self, ctx: Context) -> tuple[datetime | None, str | None]:
        """When the cluster's latest backup was taken, and a warning when none is recent enough."""
        name = ctx.cluster.name
        if not ctx.cluster.engine.lists_backups:
            return None, (
                f"DigitalOcean lists backups only for PostgreSQL and MySQL clusters: check the backups of "
                f"{name} before dropping"
            )
        try:
            backups = await ctx.calls.read(f"cluster {name}", ctx.client.list_backups(ctx.cluster.id))
        except OpsError as error:
            return None, f"the backups of {name} could not be read ({error}); check them before dropping"
        latest = max((backup.created_at for backup in backups), default=None)
        if latest is None:
            return None, f"cluster {name} has no backup: the data cannot be restored after the drop"
        if self._now() - latest > BACKUP_FRESHNESS:
            return latest, (
                f"cluster {name} has no backup from the last 24 hours (the latest is from "
                f"{latest:%Y-%m-%d %H:%M} UTC)"
            )
        return latest, None

    async def write(self, ctx: Context, plan: Plan, current: Snapshot | None) -> None:
        await ctx.calls.write(
            f"database {plan.target} on {ctx.cluster.name}",
            f"dropping database {plan.target} on {ctx.cluster.name}",
            ctx.client.delete_database(ctx.cluster.id, plan.target),
        )

    def done(self, plan: Plan) -> str:
        return f"dropped database {plan.target} on {plan.cluster_name}"
