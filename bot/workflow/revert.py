"""Revert: the inverse of a succeeded change, as a new request of its own (`revert_of` names the original).

    pool.resize  → resize back to the size and mode before
    pool.create  → delete the pool that was created
    pool.delete  → recreate the pool with its exact spec (name, mode, size, database, user)
    db.create    → drop the database that was created (its own typed confirmation, like any drop)

Offered for `revert_window_minutes` (policy) after the original succeeded: the runner sets `revert_until`,
the `revert window` timer clears it when the window ends (the card is redrawn without the button). The
inverse is planned against live state; it is refused as stale when the resource is no longer as the
original left it (its "after").
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.ops.changes import Action, Change, DbDrop, PoolCreate, PoolDelete, PoolMode, PoolResize
from bot.ops.plan import Plan, PoolSnapshot, Snapshot
from bot.store import Request, RequestState

from .errors import RevertRefused
from .policy import Policy

__all__ = [
    "REVERTIBLE",
    "changed_since",
    "check_revertible",
    "inverse_change",
    "is_revertible",
    "revert_values",
]

REVERTIBLE = frozenset({Action.POOL_CREATE, Action.POOL_RESIZE, Action.POOL_DELETE, Action.DB_CREATE})


def check_revertible(request: Request, policy: Policy, now: datetime) -> None:
    """Raises `RevertRefused` with the reason unless `request` may be reverted at `now`: a revertible
    change that succeeded, within its window (`revert_until`, set by the runner when it succeeded)."""
    if request.action not in REVERTIBLE:
        raise RevertRefused(request.id, f"a {request.action.value} cannot be undone")
    if request.state is not RequestState.SUCCEEDED:
        raise RevertRefused(request.id, f"only a change that succeeded can be, and it is {request.state}")
    if policy.revert_window_minutes == 0:
        raise RevertRefused(request.id, "the policy turns Revert off (revert_window_minutes is 0)")
    if request.revert_until is None or now >= request.revert_until:
        raise RevertRefused(
            request.id,
            f"its revert window of {policy.revert_window_minutes} minute(s) after it ran has ended; "
            "ask for the change you want instead",
        )


def revert_values(request: Request, succeeded: bool, window: timedelta, now: datetime) -> dict[str, object]:
    """The runner's settlement values: a revertible change that succeeded offers Revert for `window`."""
    if not succeeded or request.action not in REVERTIBLE or not window:
        return {}
    return {"revert_until": now + window}


def is_revertible(request: Request, now: datetime) -> bool:
    """Whether the card offers Revert: a window is open (its end is not past)."""
    return request.revert_until is not None and now < request.revert_until


def inverse_change(request: Request) -> Change:
    """The change that undoes `request`, from its plan (raises `RevertRefused` when it cannot be said)."""
    plan = request.plan
    cluster = plan.cluster_id
    if request.action is Action.POOL_CREATE:
        return PoolDelete(cluster=cluster, pool=plan.target)
    if request.action is Action.DB_CREATE:
        return DbDrop(cluster=cluster, db=plan.target)
    before = plan.before
    if not isinstance(before, PoolSnapshot):
        raise RevertRefused(request.id, "its plan does not record the pool as it was")
    if not isinstance(before.mode, PoolMode):
        raise RevertRefused(request.id, f"its mode before, {before.mode}, is not one dbops can set")
    if request.action is Action.POOL_RESIZE:
        return PoolResize(cluster=cluster, pool=plan.target, size=before.size, mode=before.mode)
    if request.action is Action.POOL_DELETE:
        return PoolCreate(
            cluster=cluster,
            pool=plan.target,
            db=before.db,
            size=before.size,
            mode=before.mode,
            user=before.user,
        )
    raise RevertRefused(request.id, f"a {request.action.value} cannot be undone")


def changed_since(original: Request, inverse: Plan) -> list[str]:
    """What differs between the resource as `original` left it (its plan's `after`) and as the inverse's
    plan read it live (its `before`): one phrase per field, e.g. "size is 30, not 25". Empty: unchanged."""
    left: Snapshot | None = original.plan.after
    live = inverse.before
    if left is None or live is None:
        return []  # a delete's inverse recreates: planning refuses when the name is taken again
    was, now = left.fields(), live.fields()
    return [
        f"{name} is {now.get(name)}, not {value}" for name, value in was.items() if now.get(name) != value
    ]
