"""The one row mapping: every field of a request is one column, and comes back as it went in."""

from __future__ import annotations

from datetime import timedelta

from bot.ops.plan import ExecutionResult, Outcome, PoolSnapshot
from bot.store import EventDraft, Failure, Request, RequestState, ReviewState, Store, result_values
from bot.store.rows import request_row
from bot.store.schema import requests

from .test_store import NOW, SUBMITTED, new_request

RESULT = ExecutionResult(
    outcome=Outcome.APPLIED,
    observed=PoolSnapshot(size=3, mode="burst", db="app", user=None),
    message="ok",
)
FAILURE = Failure(message="DigitalOcean said no.", status=422, request_id="do-req-1")


def every_field_set() -> Request:
    """A request with every column given a value (none left to its default)."""
    at = NOW + timedelta(minutes=1)
    return new_request().model_copy(
        update={
            "state": RequestState.FAILED,
            "card_channel": "C0CARD",
            "card_ts": "1700000000.000100",
            "rejected_by": "U0BOB",
            "rejection_reason": "not <now> & not here",
            "cancelled_by": "U0CAROL",
            "claimed_at": at,
            "claimed_by": "replica-1",
            "lease_expires_at": at + timedelta(minutes=6),
            "finished_at": at,
            "result": RESULT,
            "failure": FAILURE,
            "emergency_reason": "prod is down",
            "runs_at": at,
            "remind_at": at,
            "escalate_at": at,
            "escalated_at": at,
            "review_state": ReviewState.OPEN,
            "review_due_at": at,
            "reviewed_by": "U0DAVE",
            "reviewed_at": at,
        }
    )


def test_a_request_fills_exactly_the_columns_of_its_table() -> None:
    row = request_row(every_field_set())

    assert set(row) == set(requests.c.keys())
    assert (row["state"], row["review_state"], row["error_status"]) == ("failed", "open", 422)


async def test_a_request_with_every_field_set_comes_back_unchanged(store: Store) -> None:
    request = every_field_set()

    await store.insert_request(request, SUBMITTED)

    assert await store.get(request.id) == request


async def test_an_outcome_written_with_result_values_is_read_back(store: Store) -> None:
    request, _ = await store.insert_request(
        new_request().model_copy(update={"state": RequestState.EXECUTING}), SUBMITTED
    )
    failed = EventDraft(kind="failed", actor="dbops", message="It failed.")

    moved = await store.transition(
        request.id,
        RequestState.EXECUTING,
        RequestState.FAILED,
        at=NOW,
        event=failed,
        values=result_values(RESULT, FAILURE),
    )

    assert moved is not None
    assert (moved[0].result, moved[0].failure) == (RESULT, FAILURE)
    cleared = await store.update_if(
        request.id, at=NOW, event=failed, values=result_values(None, None), state=RequestState.FAILED
    )
    assert cleared is not None
    assert (cleared[0].result, cleared[0].failure) == (None, None)
