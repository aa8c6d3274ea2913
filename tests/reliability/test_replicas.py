"""Drill 1, replicas: several `serve` processes on one PostgreSQL and one DigitalOcean; every Approve click of
every request sent to every replica at once → each request runs exactly once; every card and thread agree.

Normal suite: 2 replicas, 8 requests. Full scale (`DBOPS_DRILL_SCALE=N`): 3 replicas, 8·N requests.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter

import pytest

from bot.slack import ids
from bot.slack.renderers.blocks import card_text
from bot.store import Request, RequestState
from tests.support.team import CHANNEL, LEAD1, LEAD2, LEAD3

from .figures import Board
from .stack import SCALE, Stack, until

APPROVERS = (LEAD1, LEAD2, LEAD3)


def _commands(count: int) -> list[tuple[str, str]]:
    """Distinct changes: pools (2 approvals) on analytics-pg and databases (1 approval) on prod-pg."""
    commands = []
    for i in range(count):
        if i % 2:
            commands.append(("/db", f"create prod-pg drill_db_{i:04d}"))
        else:
            commands.append(
                ("/pool", f"create analytics-pg drill-pool-{i:04d} db=events size=1 mode=transaction")
            )
    return commands


@pytest.mark.postgres
@pytest.mark.slow
async def test_replicas_execute_every_request_exactly_once(stack: Stack, board: Board) -> None:
    replicas = await stack.start_bots(2 if SCALE == 1 else 3)
    count = 8 * SCALE
    rotation = itertools.cycle(replicas)
    commands = _commands(count)
    for start in range(0, count, 16):
        chunk = commands[start : start + 16]
        answers = await asyncio.gather(
            *(stack.command(next(rotation), text, command=command) for command, text in chunk)
        )
        assert [a.status_code for a in answers] == [200] * len(chunk)
    requests = await stack.carded(count)
    assert len(requests) == count

    # Every approver clicks Approve on every card, on every replica, all at once (bounded in flight).
    gate = asyncio.Semaphore(48)

    async def click(bot_index: int, request: Request, user: str) -> int:
        async with gate:
            return (await stack.click(replicas[bot_index], ids.APPROVE, request, user=user)).status_code

    clicks = [
        click(b, request, user) for request in requests for user in APPROVERS for b in range(len(replicas))
    ]
    statuses = await asyncio.gather(*clicks)
    assert Counter(statuses) == {200: len(clicks)}

    final = await stack.settled([r.id for r in requests], limit=120 + 2 * count)
    writes = Counter(
        (call.method, call.path) for call in stack.sandbox.calls if call.method in ("POST", "PUT", "DELETE")
    )
    executions = Counter(e.request_id for e in await stack.store.events() if e.kind == "executing")
    duplicates = sum(n - 1 for n in executions.values() if n > 1)
    not_run = [r.id for r in final if r.state is not RequestState.SUCCEEDED]

    # One thread line per result, and the card shows the final state (no replica painted an old one last).
    async def cards_final() -> bool:
        return all(stack.slack.message(CHANNEL, r.card_ts or "").text == card_text(r) for r in final)

    await until(cards_final, what="every card to show its final state", limit=30)
    for request in final:
        thread = stack.thread(request)
        assert sum("The change succeeded" in line for line in thread) == 1, thread
        assert sum("Execution started" in line for line in thread) == 1, thread
    errors = stack.unexpected_errors()
    board.add(
        "replicas",
        requests=count,
        executions=sum(executions.values()),
        duplicates=duplicates,
        lost_approvals=len(not_run),
        unexpected_errors=len(errors),
        note=f"{len(replicas)} replicas, {len(clicks)} clicks",
    )
    assert not_run == []
    assert duplicates == 0
    assert sum(writes.values()) == count  # DigitalOcean saw one write per request, no more
    assert all(n == 1 for n in executions.values())
    assert errors == []
