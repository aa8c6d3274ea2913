"""Logging set-up: structured lines (JSON when not on a terminal), one per request and transition.

Library code logs with the standard `logging` module (`extra=` for fields); structlog renders every record,
ours and the libraries', the same way. A filter scrubs anything that looks like a Slack or DigitalOcean
token, or is the exact value of a secret setting, from every line (tracebacks included), as a last line of
defence: tokens are never logged on purpose.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable
from typing import Literal

import structlog

__all__ = ["configure_logging", "redact", "remember_secrets"]

_TOKEN = re.compile(r"\b(xox[abprs]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|dop_v1_[0-9a-f]{16,}|Bearer\s+\S+)")

# LogRecord attributes that are not user `extra=` fields (uvicorn's `color_message` is its message with ANSI
# colour codes: noise in a log line).
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName", "color_message"}


_MESSAGE = "message"


_REDACTED = "[redacted]"
_known: tuple[str, ...] = ()  # this process's secret values (`remember_secrets`), longest first


def remember_secrets(values: Iterable[str]) -> None:
    """Redact these exact values too (and their escaped forms, as in a repr), whatever their shape."""
    global _known
    found = set(_known)
    for value in values:
        if len(value) >= 6:  # shorter is no secret worth the name, and would redact ordinary words
            found.update({value, repr(value)[1:-1], value.encode("unicode_escape").decode()})
    _known = tuple(sorted(found, key=len, reverse=True))


def redact(text: str) -> str:
    """`text` with every known secret and anything shaped like a Slack or DigitalOcean token removed."""
    for value in _known:
        if value in text:
            text = text.replace(value, _REDACTED)
    return _TOKEN.sub(_REDACTED, text)


def _redact_event(_: object, __: str, event: structlog.typing.EventDict) -> structlog.typing.EventDict:
    """Every text field of the line, tracebacks included (the record filter sees only the message)."""
    for key, value in event.items():
        if isinstance(value, str):
            event[key] = redact(value)
    return event


class _RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_MULTILINE_KEYS = {"exception", "stack"}  # tracebacks keep their lines


def _one_line(_: object, __: str, event: structlog.typing.EventDict) -> structlog.typing.EventDict:
    """Console lines stay one line each: a newline someone typed (a reason, a pool name) is shown as `\\n`,
    so it cannot forge a log line of its own. JSON lines escape them already."""
    for key, value in event.items():
        if isinstance(value, str) and key not in _MULTILINE_KEYS and ("\n" in value or "\r" in value):
            event[key] = value.replace("\r", "\\r").replace("\n", "\\n")
    return event


def _extras(_: object, __: str, event: structlog.typing.EventDict) -> structlog.typing.EventDict:
    record = event.get("_record")
    if isinstance(record, logging.LogRecord):
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                event.setdefault(key, value)
    return event


def configure_logging(level: str = "INFO", fmt: Literal["auto", "json", "console"] = "auto") -> None:
    """Route every log record through structlog's formatter; JSON unless stderr is a terminal.

    The human sentence is under `message`, so that `event` stays free for the fields code passes with
    `extra=` (the workflow's `event` is the kind of transition: `submitted`, `approved`, `executed`…).
    """
    as_json = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer()
        if as_json
        else structlog.dev.ConsoleRenderer(colors=False, event_key=_MESSAGE)
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            structlog.processors.EventRenamer(_MESSAGE),
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _extras,
        ],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            _redact_event,
            *([] if as_json else [_one_line]),
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    handler.addFilter(_RedactFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Chatty libraries: their INFO lines add nothing an operator needs.
    chatty = ("httpx", "httpcore", "aiohttp.access", "uvicorn.access", "slack_bolt", "slack_sdk")
    for name in (*chatty, "alembic.runtime.plugins"):
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
