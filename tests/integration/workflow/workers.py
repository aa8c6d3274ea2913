"""Bot processes for the multi-process drills, run as `python -m tests.integration.workflow.workers …`.

race <url> <user,user,…>   reads request ids on stdin; approves each with all its users at once; prints a
                           JSON line of the approval statuses. Exits on `quit`.
hang <url> <request_id>    approves the request as U012LEAD; its service layer records the execution, says
                           `blocked` and hangs (the test then kills the process with SIGKILL).

Each execution the fake service layer starts is a row in `fake_executions`, so the test counts them across
processes in the database itself.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections import Counter

from sqlalchemy import text

from bot.ops.changes import Change
from bot.ops.plan import ExecutionResult, Plan
from bot.store import Store
from bot.workflow import ApprovalEngine, Policy, StaticGroups
from tests.unit.workflow.fakes import applied, make_plan

FAKE_EXECUTIONS = "CREATE TABLE fake_executions (request_id VARCHAR(16) NOT NULL, pid INTEGER NOT NULL)"


class RecordingService:
    """The service layer's fake: every `execute` is a committed row in `fake_executions`.

    `request_of` maps a plan's fingerprint to its request id (the engine hands the service only the plan).
    """

    def __init__(self, store: Store, request_of: dict[str, str], *, hang: bool = False) -> None:
        self._store = store
        self._request_of = request_of
        self._hang = hang

    async def plan(self, change: Change) -> Plan:
        return make_plan(change)

    async def execute(self, plan: Plan) -> ExecutionResult:
        async with self._store.engine.begin() as conn:
            await conn.execute(
                text("INSERT INTO fake_executions (request_id, pid) VALUES (:r, :p)"),
                {"r": self._request_of[plan.fingerprint], "p": os.getpid()},
            )
        if self._hang:
            print("blocked", flush=True)
            await asyncio.Event().wait()
        return applied(plan)

    async def reconcile(self, plan: Plan) -> ExecutionResult:
        return applied(plan)


async def _race(url: str, users: list[str]) -> None:
    store = Store.from_url(url)
    request_of: dict[str, str] = {}
    engine = ApprovalEngine(store, RecordingService(store, request_of), Policy.default(), StaticGroups())
    print("ready", flush=True)
    loop = asyncio.get_running_loop()
    while True:
        line = (await loop.run_in_executor(None, sys.stdin.readline)).strip()
        if not line or line == "quit":
            break
        request = await engine.get(line)
        request_of[request.plan.fingerprint] = request.id
        outcomes = await asyncio.gather(*(engine.approve(request.id, user) for user in users))
        print(json.dumps(Counter(o.status.value for o in outcomes)), flush=True)
    await store.close()


async def _hang(url: str, request_id: str) -> None:
    store = Store.from_url(url)
    request = await store.get(request_id)
    assert request is not None
    service = RecordingService(store, {request.plan.fingerprint: request_id}, hang=True)
    engine = ApprovalEngine(store, service, Policy.default(), StaticGroups())
    await engine.approve(request_id, "U012LEAD")


def main() -> None:
    mode, url, arg = sys.argv[1:4]
    if mode == "race":
        asyncio.run(_race(url, arg.split(",")))
    elif mode == "hang":
        asyncio.run(_hang(url, arg))
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
