"""Drill 2, crashes: `kill -9` the bot at every step of execution, restart it → each request is reconciled to
what DigitalOcean really did, none is repeated, none is stuck, and no approval given before the crash is lost.

One process holds, at the moment it dies, one request at each step:
  claimed, the write not yet sent    (its read before the write is held up in the sandbox)
  the write in flight                (the sandbox holds the PUT before applying it)
  the write applied, no answer       (the sandbox applies the POST and never answers)
  answered, the result not recorded  (the read-back after the write is held up)
  pending, one approval of two       (the approval must survive)
  pending, none yet                  (approved after the restart: runs once)
Both processes run with default settings. The restarted one reconciles the first four from DigitalOcean's
state within the lease and one sweep (`EXECUTION_LEASE_SECONDS` + `SWEEP_INTERVAL_SECONDS`, 20 s) of its
start; the one never sent is carried out then, once, with its approvals. Full scale repeats the drill
`DBOPS_DRILL_SCALE` times.
"""

from __future__ import annotations

import time

import pytest

from bot.config import Settings
from bot.sandbox import Fault
from bot.slack import ids
from bot.store import Request, RequestState
from tests.support.team import LEAD1, LEAD2

from .figures import Board
from .stack import SCALE, BotProcess, Stack, until

PROD = "9cc10173-e9ea-4176-9dbc-a4cee4c4ff30"
STAGING = "2f1b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
ANALYTICS = "7a8b9c0d-1e2f-4a3b-9c4d-5e6f7a8b9c0d"
MYSQL = "5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e"

DEFAULTS = Settings(_env_file=None)  # type: ignore[call-arg]
BOUND = DEFAULTS.execution_lease_seconds + DEFAULTS.sweep_interval_seconds  # seconds after the restart


async def _open(stack: Stack, bot: BotProcess, command: str, text: str, count: int) -> Request:
    answer = await stack.command(bot, text, command=command)
    assert answer.status_code == 200
    requests = await stack.carded(count)
    return requests[-1]


async def _approve(stack: Stack, bot: BotProcess, request: Request, user: str = LEAD1) -> None:
    assert (await stack.click(bot, ids.APPROVE, request, user=user)).status_code == 200


async def _arrived(fault: Fault, hits: int = 1) -> bool:
    return fault.hits >= hits


async def _one_crash(stack: Stack, round_: int, took: list[float]) -> dict[str, int]:
    [bot] = await stack.start_bots(1) if not stack.bots else [stack.bots[0]]
    faults = stack.sandbox.faults
    base = len(await stack.requests())
    suffix = f"{round_:02d}"

    read_back = await _open(stack, bot, "/db", f"create orders-mysql crash_readback_{suffix}", base + 1)
    staging_size = 11 + round_ % 8  # never sent, so staging-web stays at 10
    before_call = await _open(
        stack, bot, "/pool", f"resize staging-pg staging-web size={staging_size}", base + 2
    )
    in_flight = await _open(stack, bot, "/pool", f"resize prod-pg web size={21 + round_}", base + 3)
    no_answer = await _open(stack, bot, "/db", f"create analytics-pg crash_noanswer_{suffix}", base + 4)
    half = await _open(
        stack, bot, "/pool", f"create prod-pg crash-half-{suffix} db=app size=1 mode=session", base + 5
    )
    untouched = await _open(stack, bot, "/db", f"create prod-pg crash_later_{suffix}", base + 6)

    # the answered write whose read-back is held up: both reads of its databases take 2 s
    slow_reads = faults.latency(2.0, method="GET", path=f"/v2/databases/{MYSQL}/dbs", times=2)
    await _approve(stack, bot, read_back)
    await until(lambda: _arrived(slow_reads, 2), what="the read-back after the write", limit=20)
    # then the three others, while that read-back is held
    held_read = faults.latency(8.0, method="GET", path=f"/v2/databases/{STAGING}/pools")
    held_write = faults.latency(1.5, method="PUT", path=f"/v2/databases/{PROD}/pools/web")
    unanswered = faults.apply_then_timeout(hang=8.0, method="POST", path=f"/v2/databases/{ANALYTICS}/dbs")
    await _approve(stack, bot, before_call)
    await _approve(stack, bot, in_flight)
    await _approve(stack, bot, no_answer)
    await _approve(stack, bot, half, user=LEAD1)
    for fault, what in ((held_read, "the read"), (held_write, "the PUT"), (unanswered, "the POST")):
        await until(lambda fault=fault: _arrived(fault), what=f"{what} to reach the sandbox", limit=20)
    assert len((await stack.store.get(half.id) or half).approvals) == 1

    bot.kill()
    writes_at_kill = sum(1 for c in stack.sandbox.calls if c.method in ("POST", "PUT", "DELETE"))
    restarted = time.monotonic()
    bot.start()
    await bot.wait_ready()

    crashed = [read_back, before_call, in_flight, no_answer]
    final = await stack.settled([r.id for r in crashed], limit=4 * BOUND)  # a generous cap, then …
    took.append(time.monotonic() - restarted)
    assert took[-1] < BOUND, f"settled {took[-1]:.1f} s after the restart; the bound is {BOUND:.0f} s"
    await _approve(stack, bot, await _fresh(stack, half), user=LEAD2)
    await _approve(stack, bot, untouched, user=LEAD2)
    later = await stack.settled([half.id, untouched.id], limit=30)

    # the truth, from DigitalOcean's side
    clusters = stack.sandbox.clusters
    truth = {
        read_back.id: f"crash_readback_{suffix}" in clusters[MYSQL].dbs,
        before_call.id: clusters[STAGING].pools["staging-web"].size == staging_size,
        in_flight.id: clusters[PROD].pools["web"].size == 21 + round_,
        no_answer.id: f"crash_noanswer_{suffix}" in clusters[ANALYTICS].dbs,
    }
    told = {r.id: r.state is RequestState.SUCCEEDED for r in final}
    assert told == truth, f"request states {told} disagree with DigitalOcean {truth}"
    assert truth[read_back.id]
    assert truth[no_answer.id]
    assert truth[before_call.id]  # never sent before the crash: carried out after it, with its approval
    assert all(r.state is RequestState.SUCCEEDED for r in later)
    writes_after = [c for c in stack.sandbox.calls if c.method in ("POST", "PUT", "DELETE")][writes_at_kill:]
    resumed = {e.request_id for e in await stack.store.events() if e.kind == "resumed"}
    # only the changes not applied before the crash (resumed), and the two approved after the restart
    repeated = len(writes_after) - len({r.id for r in final} & resumed) - 2
    round_ids = {r.id for r in [*final, *later]}
    executing = [e for e in await stack.store.events() if e.kind == "executing" and e.request_id in round_ids]
    per_request: dict[str, int] = {}
    for event in executing:
        per_request[event.request_id or ""] = per_request.get(event.request_id or "", 0) + 1
    assert before_call.id in resumed  # the PUT held in flight may be dropped by the kill, and resumed too
    for request in final:
        thread = stack.thread(request)
        assert any("will not be sent again" in line for line in thread), thread
        if request.id in resumed:
            assert any("not applied before the crash; carrying it out now" in line for line in thread)
            assert any("The change succeeded" in line for line in thread), thread
        else:
            assert any("Checked DigitalOcean" in line for line in thread), thread
    return {
        "requests": 6,
        "faults": 5,  # one kill -9 and four held calls
        "executions": len(executing),
        "duplicates": max(0, repeated) + sum(n - 1 for n in per_request.values() if n > 1),
        "lost_approvals": sum(1 for r in later if r.state is not RequestState.SUCCEEDED),
    }


async def _fresh(stack: Stack, request: Request) -> Request:
    current = await stack.store.get(request.id)
    assert current is not None
    return current


@pytest.mark.postgres
@pytest.mark.slow
async def test_kill_9_at_every_step_reconciles_without_repeating(stack: Stack, board: Board) -> None:
    totals = {"requests": 0, "faults": 0, "executions": 0, "duplicates": 0, "lost_approvals": 0}
    took: list[float] = []
    for round_ in range(SCALE):
        for key, value in (await _one_crash(stack, round_, took)).items():
            totals[key] += value
    errors = stack.unexpected_errors()
    note = (
        f"{SCALE} kill -9 round(s), settled {max(took):.1f} s after the restart at most (bound {BOUND:.0f} s)"
    )
    print(note)
    board.add("crashes", unexpected_errors=len(errors), note=note, **totals)
    assert totals["duplicates"] == 0
    assert totals["lost_approvals"] == 0
    assert errors == []
