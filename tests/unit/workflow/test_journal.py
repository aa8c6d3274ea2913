"""The journal is the only path that commits a change of a request: no other module of `bot/` (outside
the store itself) calls the store's writing operations (on a `store`, `self._store`, `engine.store`…)."""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).parents[3] / "bot"
WRITES = {"transition", "update_if", "add_approval", "insert_request", "append_event", "renew_lease"}


def _writers() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted(BOT.rglob("*.py")):
        if path.is_relative_to(BOT / "store"):
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr in WRITES and ast.unparse(node.func.value).endswith("store"):
                found.setdefault(str(path.relative_to(BOT.parent)), set()).add(node.func.attr)
    return found


def test_only_the_journal_writes_requests_and_their_events() -> None:
    assert set(_writers()) == {"bot/workflow/journal.py"}
    assert _writers()["bot/workflow/journal.py"] == WRITES
