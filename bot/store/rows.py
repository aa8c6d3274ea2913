"""The one mapping between records and table rows, driven by the columns.

A request's column is its field of the same name (enums stored by value; `change`, `plan` and `result`
as JSON), except for the columns of its `failure` and its approvals, which live in their own table. A
new column is written once, in `schema.requests`, with a field of the same name on `Request`.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import Any

from sqlalchemy import Row, Table

from bot.ops.plan import ExecutionResult

from .records import Approval, AuditEvent, Failure, Request
from .schema import audit_events, requests

__all__ = [
    "event_from_row",
    "event_row",
    "failure_values",
    "request_from_row",
    "request_row",
    "result_values",
]

_JSON_FIELDS = frozenset({"change", "plan", "result"})
"""Fields that are pydantic values, kept as JSON."""
_FAILURE_COLUMNS = {"error_message": "message", "error_status": "status", "error_request_id": "request_id"}
"""Column ↔ `Failure` field; the failure exists when its message does."""
_NOT_COLUMNS = frozenset({"approvals", "failure"})


def _column_value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _plain(record: Request | AuditEvent, table: Table, exclude: Iterable[str] = ()) -> dict[str, Any]:
    """`record`'s fields that are columns of `table` as they are stored (JSON fields as JSON)."""
    names = set(table.c.keys()) & set(type(record).model_fields) - set(exclude)
    data = record.model_dump(include=names - _JSON_FIELDS)
    data.update(record.model_dump(mode="json", include=names & _JSON_FIELDS))
    return {name: _column_value(value) for name, value in data.items()}


def failure_values(failure: Failure | None) -> dict[str, Any]:
    return {
        column: getattr(failure, field) if failure else None for column, field in _FAILURE_COLUMNS.items()
    }


def request_row(request: Request) -> dict[str, Any]:
    """Every column of `requests` for `request`."""
    return {**_plain(request, requests), **failure_values(request.failure)}


def result_values(result: ExecutionResult | None, failure: Failure | None) -> dict[str, Any]:
    """Column values for a request's outcome (for `Store.transition(values=…)`)."""
    return {"result": result.model_dump(mode="json") if result else None, **failure_values(failure)}


def request_from_row(row: Row[Any], votes: Iterable[Approval]) -> Request:
    values = dict(row._mapping)
    failure = {field: values.pop(column) for column, field in _FAILURE_COLUMNS.items()}
    return Request.model_validate(
        {
            **values,
            "approvals": tuple(votes),
            "failure": Failure(**failure) if failure["message"] is not None else None,
        }
    )


def event_row(event: AuditEvent) -> dict[str, Any]:
    """The columns of `audit_events` for `event`, but its id (the database assigns it)."""
    return _plain(event, audit_events, exclude={"id"})


def event_from_row(row: Row[Any]) -> AuditEvent:
    return AuditEvent.model_validate(dict(row._mapping))


def _check_columns() -> None:
    """Every column has its field, and every field its column (checked once, at import)."""
    request_columns = set(Request.model_fields) - _NOT_COLUMNS | set(_FAILURE_COLUMNS)
    if request_columns != set(requests.c.keys()):
        raise RuntimeError(
            f"requests columns and Request fields differ: {request_columns ^ set(requests.c.keys())}"
        )
    if set(AuditEvent.model_fields) != set(audit_events.c.keys()):
        raise RuntimeError("audit_events columns and AuditEvent fields differ")


_check_columns()
