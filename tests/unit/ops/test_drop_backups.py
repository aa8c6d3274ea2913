"""The plan of `db.drop` says when the cluster's latest backup was taken and warns when none is recent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.ops import DatabaseOps
from bot.ops.changes import DbDrop
from bot.sandbox import SandboxState


async def test_a_recent_backup_is_shown_without_a_warning(ops: DatabaseOps) -> None:
    plan = await ops.plan(DbDrop(cluster="prod-pg", db="app"))
    assert plan.backup_checked
    assert plan.latest_backup_at is not None
    age = datetime.now(UTC) - plan.latest_backup_at
    assert timedelta(hours=2, minutes=59) < age < timedelta(hours=3, minutes=5)
    assert not [w for w in plan.warnings if "backup" in w]


async def test_a_three_day_old_backup_is_warned_about(ops: DatabaseOps) -> None:
    plan = await ops.plan(DbDrop(cluster="staging-pg", db="app"))
    assert plan.latest_backup_at is not None
    assert plan.warnings[-1] == (
        f"cluster staging-pg has no backup from the last 24 hours (the latest is from "
        f"{plan.latest_backup_at:%Y-%m-%d %H:%M} UTC)"
    )


async def test_no_backup_at_all_is_warned_about(ops: DatabaseOps) -> None:
    plan = await ops.plan(DbDrop(cluster="analytics-pg", db="events"))
    assert plan.latest_backup_at is None
    assert (
        plan.warnings[-1] == "cluster analytics-pg has no backup: the data cannot be restored after the drop"
    )


async def test_unreadable_backups_are_a_warning_not_a_refusal(ops: DatabaseOps, state: SandboxState) -> None:
    state.faults.server_error(operation="list_backups")
    plan = await ops.plan(DbDrop(cluster="prod-pg", db="app"))
    assert plan.latest_backup_at is None
    assert plan.warnings[-1].startswith("the backups of prod-pg could not be read (")
    assert plan.warnings[-1].endswith("); check them before dropping")
