"""Reading a submitted change form: `view.state.values` as Slack sends it for a `view_submission`."""

from __future__ import annotations

from typing import Any

import pytest

from bot.ops.changes import Action
from bot.slack import ids
from bot.slack.form_values import FormError, change_from_form


def _text_input(value: str | None) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


def _select(value: str) -> dict[str, Any]:
    return {
        "type": "static_select",
        "selected_option": {"text": {"type": "plain_text", "text": value, "emoji": True}, "value": value},
    }


def _resize_values(size: str) -> dict[str, Any]:
    return {
        ids.CLUSTER_BLOCK: {ids.CLUSTER_SELECT: _select("9cc10173-e9ea-4176-9dbc-a4cee4c4ff30")},
        ids.POOL_BLOCK: {ids.POOL_SELECT: _select("web")},
        ids.SIZE_BLOCK: {ids.SIZE_INPUT: _text_input(size)},
    }


def test_a_size_of_5000_digits_is_answered_on_the_size_input() -> None:
    with pytest.raises(FormError) as caught:
        change_from_form(Action.POOL_RESIZE, _resize_values("9" * 5000))
    assert (caught.value.block_id, str(caught.value)) == (
        ids.SIZE_BLOCK,
        "Size must be a whole number from 1 to 2,147,483,647, not a 5,000-character value.",
    )
