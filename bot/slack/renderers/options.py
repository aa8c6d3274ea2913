"""Slack's limits on a select's options, in one place: the change forms' cluster select and the options
listener's answers to `block_suggestion` both build their options here.

An option's value is what a submission acts on, so a value Slack cannot take (empty, over 150 characters)
is never cut, which could name another cluster, pool or database: its item is left out, and logged. A
label over 75 characters is cut (it only shows)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TypeVar

from slack_sdk.models.blocks import Option

__all__ = ["MAX_OPTIONS", "MAX_OPTION_TEXT", "MAX_OPTION_VALUE", "offerable", "option"]

log = logging.getLogger(__name__)

MAX_OPTIONS = 100  # a select shows at most 100 options (and an options answer carries at most 100)
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150

T = TypeVar("T")


def option(value: str, text: str) -> Option:
    """An option whose `value` already fits (see `offerable`) and whose label is cut to Slack's 75."""
    return Option(value=value, text=text[:MAX_OPTION_TEXT])


def offerable(items: Iterable[T], value: Callable[[T], str], label: Callable[[T], str], kind: str) -> list[T]:
    """The `items` whose value can be an option value, in order; each other one is logged as left out
    (`kind` names it in the log: "cluster", "pool"…; the label is cut, it comes from DigitalOcean)."""
    kept: list[T] = []
    for item in items:
        if 0 < len(value(item)) <= MAX_OPTION_VALUE:
            kept.append(item)
        else:
            log.warning(
                "%s %r is left out of the form: its value (%d characters) cannot be an option value",
                kind,
                label(item)[:100],
                len(value(item)),
            )
    return kept
