"""What a state is called has one owner (issue 14, item 2): the card's text and footer, a thread's result
line and `/dbops` audit trails all say the same word for the same state, and every state has one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.slack.adapters.notifier import result_line
from bot.slack.listeners.dbops_command import audit_lines
from bot.slack.renderers.blocks import card_blocks, card_text
from bot.slack.renderers.states import STATE_WORDS
from bot.store.records import AuditEvent, RequestState
from tests.unit.slack.factories import request


def test_every_state_has_a_word() -> None:
    assert set(STATE_WORDS) == set(RequestState)


@pytest.mark.parametrize("state", list(RequestState))
def test_the_card_names_the_state_with_its_word(state: RequestState) -> None:
    word = STATE_WORDS[state]
    shown = request(state=state)
    assert card_text(shown).endswith(f"— {word}")
    footer = card_blocks(shown)[-1].to_dict()
    assert footer["elements"][0]["text"].endswith(f"· {word}")


@pytest.mark.parametrize(
    "state", [s for s in RequestState if s not in (RequestState.SUCCEEDED, RequestState.FAILED)]
)
def test_a_result_line_names_any_other_state_with_its_word(state: RequestState) -> None:
    assert result_line(request(state=state)) == f"The request is now {STATE_WORDS[state]}."


def test_an_audit_line_names_both_states_with_their_words() -> None:
    event = AuditEvent(
        id=1,
        at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
        kind="expired",
        actor="dbops",
        request_id="R-7K3F9Q",
        cluster_id=None,
        cluster_name="prod-pg",
        from_state=RequestState.PENDING,
        to_state=RequestState.EXPIRED,
        message="R-7K3F9Q expired.",
    )
    [line] = audit_lines([event])
    pending, expired = STATE_WORDS[RequestState.PENDING], STATE_WORDS[RequestState.EXPIRED]
    assert f"({pending} → {expired})" in line
