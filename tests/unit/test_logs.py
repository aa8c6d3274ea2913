"""Console log lines: a newline in someone's text cannot forge a line of its own (issue 13, item 8)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot.logs import configure_logging


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.usefixtures("restore_logging")
def test_console_lines_escape_newlines_in_user_text(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", "console")
    reason = "storm\n2026-12-01T00:00:00Z [info     ] U0LEAD1 approved R-FAKE01\r"
    logging.getLogger("bot.workflow.engine").info(
        "U0ONCALL made an emergency change (reason: %s)", reason, extra={"reason": reason}
    )
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    assert "(reason: storm\\n2026-12-01T00:00:00Z [info     ] U0LEAD1 approved R-FAKE01\\r)" in lines[0]
    assert r"reason='storm\\n2026-12-01T00:00:00Z" in lines[0]  # the extra field, repr'd on the same line


@pytest.mark.usefixtures("restore_logging")
def test_tracebacks_keep_their_lines(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", "console")
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("bot").exception("failed")
    err = capsys.readouterr().err
    assert "Traceback (most recent call last):" in err
    assert len(err.splitlines()) > 2
