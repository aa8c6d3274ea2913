"""Connection pool operations: create, resize (size and/or mode) and delete."""

from __future__ import annotations

from bot.digitalocean import Pool, PoolMode, PoolSpec

from .capacity import check_fits, cluster_capacity, used_by_pools
from .changes import Change, PoolCreate, PoolDelete, PoolResize
from .clusters import require_online, require_postgres
from .context import Context
from .errors import InvalidRequest
from .plan import Capacity, Plan, PoolSnapshot, Snapshot
from .plan_warnings import delete_warning, mode_warnings, orphan_warnings
from .rules import check_addressable, check_pool_name, check_resize_asks, check_size, listing

__all__ = ["CreatePool", "DeletePool", "ResizePool", "find_pool", "pool_capacity", "pool_snapshot"]


def pool_snapshot(pool: Pool) -> PoolSnapshot:
    """What a plan shows of a pool (never its connection details)."""
    return PoolSnapshot(size=pool.size, mode=pool.mode, db=pool.db, user=pool.user)


def _pool(snapshot: Snapshot | None) -> PoolSnapshot:
    """A pool operation's snapshot (its plans hold only pools)."""
    assert isinstance(snapshot, PoolSnapshot)
    return snapshot


def find_pool(pools: list[Pool], name: str) -> Pool | None:
    return next((pool for pool in pools if pool.name == name), None)


def pool_capacity(ctx: Context, pools: list[Pool]) -> Capacity | None:
    total = cluster_capacity(ctx.cluster)
    return None if total is None else Capacity(total=total, used=used_by_pools(pools))


def _existing(ctx: Context, pools: list[Pool], name: str) -> Pool:
    pool = find_pool(pools, name)
    if pool is None:
        raise InvalidRequest(
            f'cluster {ctx.cluster.name} has no pool named "{name}"; its pools are: '
            f"{listing(p.name for p in pools)}",
            field="pool",
        )
    check_addressable(
        pool.name,
        noun="pool",
        field="pool",
        verb="changed",
        instead="change it in DigitalOcean's control panel instead",
    )
    return pool


def _spec(plan: Plan, owner: PoolSnapshot) -> PoolSpec:
    """The whole pool to send: the plan's name, mode and size, with the database and user of `owner`."""
    after = _pool(plan.after)
    return PoolSpec(
        name=plan.target, mode=PoolMode(after.mode), size=after.size, db=owner.db, user=owner.user
    )


def _fit(ctx: Context, pools: list[Pool], name: str, size: int, *, old_size: int = 0) -> Capacity | None:
    """Capacity after `name` has `size`; refuses a growth that does not fit (a shrink always passes)."""
    total = cluster_capacity(ctx.cluster)
    if total is None:
        return None
    others = used_by_pools(pools, excluding=name)
    if size <= old_size:
        return Capacity(total=total, used=others + size)
    return check_fits(ctx.cluster.name, total, others, size)


def _low_headroom(ctx: Context, after: Capacity | None) -> list[str]:
    if after is None:
        return [
            f"the capacity of {ctx.cluster.name} is unknown (its size {ctx.cluster.size} names no RAM); "
            "DigitalOcean will check it"
        ]
    if after.total and after.left * 10 < after.total:
        return [
            f"afterwards only {after.left} of {after.total} backend connections are left on "
            f"{ctx.cluster.name}"
        ]
    return []


class _PoolOperation:
    async def observe(self, ctx: Context, plan: Plan) -> Snapshot | None:
        pool = find_pool(await ctx.pools(), plan.target)
        return None if pool is None else pool_snapshot(pool)

    async def check(self, ctx: Context, plan: Plan) -> None:
        if plan.after is None:
            return
        before_size = _pool(plan.before).size if plan.before else 0
        _fit(ctx, await ctx.pools(), plan.target, _pool(plan.after).size, old_size=before_size)


class CreatePool(_PoolOperation):
    async def plan(self, ctx: Context, change: Change) -> Plan:
        assert isinstance(change, PoolCreate)
        require_postgres(ctx.cluster)
        require_online(ctx.cluster)
        check_pool_name(change.pool)
        mode = change.mode
        check_size(change.size)
        pools = await ctx.pools()
        if find_pool(pools, change.pool) is not None:
            raise InvalidRequest(
                f"cluster {ctx.cluster.name} already has a pool named {change.pool}", field="pool"
            )
        await ctx.require_database(change.db)
        warnings: list[str] = []
        user = change.user or None  # a blank user is no user, as DigitalOcean answers it
        if user is None:
            warnings.append(f"pool {change.pool} has no user: clients connect as the user they log in with")
        else:
            users = await ctx.users()
            if user not in users:
                raise InvalidRequest(
                    f'{ctx.cluster.name} has no user named "{user}"; its users are: {listing(users)}',
                    field="user",
                )
        after_capacity = _fit(ctx, pools, change.pool, change.size)
        after = PoolSnapshot(size=change.size, mode=mode, db=change.db, user=user)
        return ctx.plan(
            change,
            target=change.pool,
            before=None,
            after=after,
            capacity_before=pool_capacity(ctx, pools),
            capacity_after=after_capacity,
            warnings=warnings
            + mode_warnings(change.pool, mode, change.size)
            + _low_headroom(ctx, after_capacity),
        )

    async def write(self, ctx: Context, plan: Plan, current: Snapshot | None) -> None:
        assert plan.after is not None
        await ctx.calls.write(
            f"cluster {ctx.cluster.name}",
            f"creating pool {plan.target} on {ctx.cluster.name}",
            ctx.client.add_pool(ctx.cluster.id, _spec(plan, _pool(plan.after))),
        )

    def done(self, plan: Plan) -> str:
        after = _pool(plan.after)
        return (
            f"created pool {plan.target} on {plan.cluster_name}: {after.mode}, size "
            f"{after.size}, database {after.db}"
        )


class ResizePool(_PoolOperation):
    async def plan(self, ctx: Context, change: Change) -> Plan:
        assert isinstance(change, PoolResize)
        require_postgres(ctx.cluster)
        require_online(ctx.cluster)
        check_resize_asks(change.size, change.mode)
        mode = change.mode
        if change.size is not None:
            check_size(change.size)
        pools = await ctx.pools()
        pool = _existing(ctx, pools, change.pool)
        new_size = pool.size if change.size is None else change.size
        if change.size is None and pool.size < 1:
            raise InvalidRequest(
                f"pool {pool.name} has size {pool.size}, which the bot cannot keep "
                "(a pool needs at least 1): say the size to set",
                field="size",
            )
        if mode is None and not isinstance(pool.mode, PoolMode):
            # PUT replaces the whole pool: keeping the mode would mean writing back a value we do not know.
            raise InvalidRequest(
                f'pool {pool.name} has mode "{pool.mode}", which the bot does not know, so it cannot keep '
                "it: say the mode to set (session, transaction or statement)",
                field="mode",
            )
        new_mode = PoolMode(pool.mode) if mode is None else mode
        if new_size == pool.size and new_mode == pool.mode:
            raise InvalidRequest(
                f"pool {pool.name} already has size {pool.size} and mode {new_mode.value}; nothing to change",
                field="size" if change.size is not None else "mode",
            )
        after_capacity = _fit(ctx, pools, pool.name, new_size, old_size=pool.size)
        before = pool_snapshot(pool)
        after = before.model_copy(update={"size": new_size, "mode": new_mode})
        warnings = orphan_warnings(ctx.cluster, pool)
        if new_mode != pool.mode or new_mode is PoolMode.SESSION:
            warnings += mode_warnings(pool.name, new_mode, new_size)
        return ctx.plan(
            change,
            target=pool.name,
            before=before,
            after=after,
            capacity_before=pool_capacity(ctx, pools),
            capacity_after=after_capacity,
            warnings=warnings + _low_headroom(ctx, after_capacity),
        )

    async def write(self, ctx: Context, plan: Plan, current: Snapshot | None) -> None:
        # PUT replaces the whole pool: send the pool's current db and user along with the new size and mode.
        assert current is not None
        await ctx.calls.write(
            f"pool {plan.target} on {ctx.cluster.name}",
            f"resizing pool {plan.target} on {ctx.cluster.name}",
            ctx.client.update_pool(ctx.cluster.id, _spec(plan, _pool(current))),
        )

    def done(self, plan: Plan) -> str:
        before, after = _pool(plan.before).fields(), _pool(plan.after).fields()
        parts = [
            f"{key} {before[key]} → {after[key]}" for key in ("size", "mode") if before[key] != after[key]
        ]
        return f"resized pool {plan.target} on {plan.cluster_name}: {', '.join(parts)}"


class DeletePool(_PoolOperation):
    async def plan(self, ctx: Context, change: Change) -> Plan:
        assert isinstance(change, PoolDelete)
        require_postgres(ctx.cluster)
        require_online(ctx.cluster)
        pools = await ctx.pools()
        pool = _existing(ctx, pools, change.pool)
        capacity_before = pool_capacity(ctx, pools)
        capacity_after = (
            None
            if capacity_before is None
            else Capacity(total=capacity_before.total, used=capacity_before.used - pool.size)
        )
        return ctx.plan(
            change,
            target=pool.name,
            before=pool_snapshot(pool),
            after=None,
            capacity_before=capacity_before,
            capacity_after=capacity_after,
            warnings=[delete_warning(pool.name), *orphan_warnings(ctx.cluster, pool)],
        )

    async def write(self, ctx: Context, plan: Plan, current: Snapshot | None) -> None:
        await ctx.calls.write(
            f"pool {plan.target} on {ctx.cluster.name}",
            f"deleting pool {plan.target} on {ctx.cluster.name}",
            ctx.client.delete_pool(ctx.cluster.id, plan.target),
        )

    def done(self, plan: Plan) -> str:
        return f"deleted pool {plan.target} on {plan.cluster_name}"
