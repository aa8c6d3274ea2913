"""`python -m bot demo`, the README's first command, as a process with nothing configured."""

from __future__ import annotations

import os
import re
from pathlib import Path

from .process import ROOT, start

SUMMARY = re.compile(
    r"^demo finished: 2 changes executed exactly once, 1 self-approval and 1 over-capacity request refused; "
    r"\d+ DigitalOcean calls \(2 writes\), \d+ Slack calls\.$"
)


def clean_env() -> dict[str, str]:
    """Nothing configured: no Slack, no DigitalOcean, no database; a wide terminal so lines do not wrap."""
    return {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), "COLUMNS": "200"}


async def test_demo_tells_the_whole_story_and_exits_0(tmp_path: Path) -> None:
    demo = await start("demo", env=clean_env(), cwd=tmp_path)
    code = await demo.wait()
    out = demo.stdout.decode()

    assert code == 0, demo.output
    assert demo.stderr.decode() == ""
    steps = [
        "1. alice asks for a new connection pool",
        "alice (engineer) types /pool create prod-pg api db=app size=15 mode=transaction user=app",
        "2. alice cannot approve her own request",
        "so someone else has to approve it.",
        "3. bob, a lead, approves: the change runs once, the result lands in the thread",
        "The change succeeded. Created pool api on prod-pg: transaction, size 15, database app.",
        "#incidents · dbops",
        "4. dropping a database needs two leads",
        "Waiting for 2 more approvals (0 of 2)",
        "@bob approved (1 of 2).",
        "@carol approved (2 of 2).",
        "The change succeeded. Dropped database events on analytics-pg.",
        "5. a resize that does not fit is refused before anyone is asked",
        "Size 30 exceeds the capacity left: staging-pg allows 22 backend connections",
    ]
    positions = [out.find(step) for step in steps]
    assert -1 not in positions, [s for s, p in zip(steps, positions, strict=True) if p == -1]
    assert positions == sorted(positions), "the story is told in order"
    assert SUMMARY.match(out.strip().splitlines()[-1])
    assert os.listdir(tmp_path) == []  # nothing left behind: the store lived in a temporary folder


async def test_demo_quiet_prints_only_the_summary(tmp_path: Path) -> None:
    demo = await start("demo", "--quiet", env=clean_env(), cwd=tmp_path)
    code = await demo.wait()
    assert code == 0, demo.output
    lines = [line for line in demo.stdout.decode().splitlines() if line.strip()]
    assert len(lines) == 1
    assert SUMMARY.match(lines[0])
