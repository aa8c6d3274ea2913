from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from .figures import BOARD, Board
from .stack import SCALE, Stack, running_stack


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The secret scan reads what every other drill captured: run it last."""
    items.sort(key=lambda item: "test_secrets.py" in str(item.path))


def pytest_sessionfinish(session: pytest.Session) -> None:
    BOARD.write(SCALE)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if BOARD.drills:
        terminalreporter.section(f"dbops drills (scale {SCALE})")
        for line in BOARD.table():
            terminalreporter.write_line(line)
        terminalreporter.write_line(f"figures written to {BOARD.write(SCALE)}")


@pytest.fixture
def board() -> Board:
    return BOARD


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path) as running:
        yield running
