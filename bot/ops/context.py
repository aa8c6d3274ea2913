"""What one operation works with: the client, its call counter and the cluster, with memoised reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, Unpack

from bot.digitalocean import Cluster, DigitalOceanClient, Pool

from .changes import Change
from .errors import InvalidRequest
from .plan import Plan, PlanDetails, Snapshot, fingerprint
from .plan_warnings import cluster_warnings
from .rules import listing
from .upstream import Calls

__all__ = ["Context", "Operation", "describe_drift"]


@dataclass
class Context:
    client: DigitalOceanClient
    calls: Calls
    cluster: Cluster
    _pools: list[Pool] | None = field(default=None, repr=False)
    _databases: set[str] | None = field(default=None, repr=False)

    async def pools(self) -> list[Pool]:
        """The cluster's pools, read once per context (until `forget`)."""
        if self._pools is None:
            self._pools = await self.calls.read(
                f"cluster {self.cluster.name}", self.client.list_pools(self.cluster.id)
            )
        return self._pools

    async def databases(self, *, fresh: bool = False) -> set[str]:
        """The cluster's database names, read once per context (until `forget`).

        Unless `fresh`, the names the cluster listing carries (`db_names`) serve, saving a call; execution
        always reads them fresh.
        """
        if not fresh and self._databases is None and self.cluster.db_names is not None:
            return set(self.cluster.db_names)
        if self._databases is None:
            dbs = await self.calls.read(
                f"cluster {self.cluster.name}", self.client.list_databases(self.cluster.id)
            )
            self._databases = {db.name for db in dbs}
        return self._databases

    async def require_database(self, name: str) -> None:
        """Refuses a database the cluster does not have, naming the ones it has."""
        databases = await self.databases()
        if name not in databases:
            raise InvalidRequest(
                f'cluster {self.cluster.name} has no database named "{name}"; its databases are: '
                f"{listing(databases)}",
                field="db",
            )

    async def users(self) -> set[str]:
        users = await self.calls.read(f"cluster {self.cluster.name}", self.client.list_users(self.cluster.id))
        return {user.name for user in users}

    def plan(
        self,
        change: Change,
        *,
        target: str,
        before: Snapshot | None,
        after: Snapshot | None,
        **details: Unpack[PlanDetails],
    ) -> Plan:
        """The plan of `change` on this cluster, fingerprinted by the state `before` it was made from; the
        cluster's own warnings (maintenance pending) come after the operation's."""
        details["warnings"] = details.get("warnings", []) + cluster_warnings(self.cluster)
        shown = None if before is None else before.fields()
        state = {"cluster": self.cluster.id, change.action.kind: target, "before": shown}
        return Plan(
            action=change.action,
            change=change,
            cluster_id=self.cluster.id,
            cluster_name=self.cluster.name,
            target=target,
            before=before,
            after=after,
            fingerprint=fingerprint(state),
            **details,
        )

    def forget(self) -> None:
        """Drop what was read, so the next read sees DigitalOcean's state after a write."""
        self._pools = None
        self._databases = None


class Operation(Protocol):
    """One kind of change: how it is planned, observed, checked, written and described."""

    async def plan(self, ctx: Context, change: Change) -> Plan: ...

    async def observe(self, ctx: Context, plan: Plan) -> Snapshot | None:
        """The target's state on DigitalOcean now: a snapshot, or None when it does not exist."""
        ...

    async def check(self, ctx: Context, plan: Plan) -> None:
        """Rules that must still hold right before the write (capacity); raises `OpsError`."""
        ...

    async def write(self, ctx: Context, plan: Plan, current: Snapshot | None) -> None: ...

    def done(self, plan: Plan) -> str:
        """The sentence for a change that took effect."""
        ...


def describe_drift(noun: str, before: Snapshot | None, now: Snapshot | None) -> str:
    """What changed since the plan was made: "size changed from 10 to 12", "pool web was deleted"."""
    if before is None and now is not None:
        return f"{noun} was created"
    if before is not None and now is None:
        return f"{noun} was deleted"
    assert before is not None
    assert now is not None
    was, now_is = before.fields(), now.fields()
    parts = [
        f"{key} changed from {_show(was.get(key))} to {_show(now_is.get(key))}"
        for key in sorted(was.keys() | now_is.keys())
        if was.get(key) != now_is.get(key)
    ]
    return " and ".join(parts) if parts else f"{noun} is unchanged"


def _show(value: str | int | None) -> str:
    return "(none)" if value is None else str(value)
