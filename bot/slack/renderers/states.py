"""What a request's state is called wherever the bot names it: the card's text and footer, a thread's
result line, `/dbops requests` and audit trails. The words are the Slack layer's; the value is the
workflow's `RequestState` (stored by its own value, which these words need not match)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from bot.workflow import RequestState

__all__ = ["STATE_WORDS", "state_word"]

STATE_WORDS: Final[Mapping[RequestState, str]] = {
    RequestState.PENDING: "pending",
    RequestState.APPROVED: "approved",
    RequestState.EXECUTING: "executing",
    RequestState.UNKNOWN: "unknown",
    RequestState.SUCCEEDED: "succeeded",
    RequestState.FAILED: "failed",
    RequestState.REJECTED: "rejected",
    RequestState.CANCELLED: "cancelled",
    RequestState.EXPIRED: "expired",
}


def state_word(state: RequestState) -> str:
    return STATE_WORDS[state]
