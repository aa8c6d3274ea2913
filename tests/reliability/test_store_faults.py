"""Drill 5, store faults: PostgreSQL restarted under a running bot → it recovers on its own, no approval lost.

The server is shared, so this drill is opt-in: `DBOPS_DRILL_PG_RESTART=1` (`.ci/run` runs it last, alone).
It restarts the local cluster with `pg_ctlcluster --skip-systemctl-redirect <version> main restart`.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

import pytest

from bot.slack import ids
from bot.store import RequestState
from tests.support.team import LEAD1

from .figures import Board
from .stack import SCALE, Stack, until

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        os.environ.get("DBOPS_DRILL_PG_RESTART") != "1",
        reason="restarts the shared PostgreSQL server: set DBOPS_DRILL_PG_RESTART=1 (.ci/run does, last)",
    ),
]


def _restart_postgres() -> None:
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True)


async def test_postgres_restart_loses_no_approval(stack: Stack, board: Board) -> None:
    [bot] = await stack.start_bots(1, SWEEP_INTERVAL_SECONDS="0.5")
    count = 4 * SCALE
    for i in range(count):
        assert (await stack.command(bot, f"create prod-pg restart_{i:03d}", command="/db")).status_code == 200
    requests = await stack.carded(count)
    before, after = requests[: count // 2], requests[count // 2 :]
    for request in before:
        assert (await stack.click(bot, ids.APPROVE, request, user=LEAD1)).status_code == 200
    await stack.settled([r.id for r in before])

    await asyncio.get_running_loop().run_in_executor(None, _restart_postgres)

    async def ready() -> bool:
        return (await stack.http.get(f"{bot.url}/readyz")).status_code == 200

    await until(ready, what="the bot to be ready again", limit=60)
    for request in after:
        assert (await stack.click(bot, ids.APPROVE, request, user=LEAD1)).status_code == 200
    final = await stack.settled([r.id for r in requests])
    lost = [r.id for r in final if r.state is not RequestState.SUCCEEDED]
    executing = [e for e in await stack.store.events() if e.kind == "executing"]
    writes = [c for c in stack.sandbox.calls if c.method == "POST"]
    # the sweep that ran while the server was down says so, and runs again: the injected fault, not a bug
    errors = [line for line in stack.unexpected_errors() if "the periodic sweep failed" not in line]
    board.add(
        "store_faults",
        requests=count,
        faults=1,
        executions=len(executing),
        duplicates=len(writes) - count,
        lost_approvals=len(lost),
        unexpected_errors=len(errors),
    )
    assert lost == []
    assert len(writes) == count
    assert errors == []
