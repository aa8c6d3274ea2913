"""The durable store: requests, approvals and the append-only audit log, on SQLite or PostgreSQL.

`Store` is the one object callers hold; each method is carried out by the module that owns its job:
`connection` (engine, SQLite tuning, transactions), `request_writes` (insert and conditional updates),
`request_queries` (reads), `approvals` (counting), `audit` (the log), `emergency` (break-glass cap and
review) and `migrate` (Alembic). Rows and records are mapped in one place, `rows`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Select
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from . import approvals, audit, emergency, request_queries, request_writes
from .approvals import AddApproval, ApprovalAdded
from .connection import Database, create_engine
from .emergency import EmergencyCap
from .migrate import migrate
from .records import AuditEvent, EventDraft, Request, RequestState, ReviewState
from .request_queries import TimerColumn
from .request_writes import RequestIdTaken
from .rows import event_from_row, result_values

__all__ = [
    "AddApproval",
    "ApprovalAdded",
    "EmergencyCap",
    "RequestIdTaken",
    "Store",
    "TimerColumn",
    "result_values",
]


class Store:
    """Requests, approvals and audit events; one instance per process, shared by every task."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._db = Database(engine)

    @classmethod
    def from_url(cls, database_url: str | URL) -> Store:
        """Connect lazily to `DATABASE_URL` as people write it (see `async_database_url`)."""
        return cls(create_engine(database_url))

    @property
    def dialect(self) -> str:
        """`sqlite` or `postgresql`."""
        return self._db.engine.dialect.name

    @property
    def engine(self) -> AsyncEngine:
        return self._db.engine

    async def close(self) -> None:
        await self._db.close()

    async def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision; safe to run from several processes at once."""
        await migrate(self._db)

    async def ping(self) -> None:
        """Raise if the store cannot be reached (for `/readyz`)."""
        await self._db.ping()

    async def is_migrated(self) -> bool:
        """Whether the store has the dbops tables (a fresh database has none until `migrate`)."""
        return {"requests", "audit_events"} <= await self._db.table_names()

    # --- requests ---------------------------------------------------------------------------------

    async def insert_request(
        self, request: Request, event: EventDraft, *, emergency_cap: EmergencyCap | None = None
    ) -> tuple[Request, AuditEvent]:
        """Store a new request with its `submitted` event.

        Raises `ActiveRequestExists` if a live request already holds the resource (also when two
        processes race: a partial unique index decides), `RequestIdTaken` if the id is in use, and
        `EmergencyCapReached` if `emergency_cap` is given and the requester's break-glass requests since
        its start already reach its limit (counted and inserted atomically, so simultaneous requests from
        one person cannot both slip under the cap).
        """
        return await request_writes.insert_request(self._db, request, event, emergency_cap)

    async def get(self, request_id: str) -> Request | None:
        async with self._db.read() as conn:
            return await request_queries.get(conn, request_id)

    async def list_requests(
        self,
        states: Collection[RequestState] | None = None,
        *,
        cluster: str | None = None,
        limit: int | None = None,
    ) -> list[Request]:
        """Requests, oldest first, optionally only in `states` and on `cluster` (its name or id)."""
        return await self._requests(request_queries.list_query(states, cluster, limit))

    async def transition(
        self,
        request_id: str,
        from_state: RequestState,
        to_state: RequestState,
        *,
        at: datetime,
        event: EventDraft,
        values: Mapping[str, Any] | None = None,
        expired_by: datetime | None = None,
        claimed_by: str | None = None,
    ) -> tuple[Request, AuditEvent] | None:
        """Move the request from `from_state` to `to_state` if, and only if, it is still in `from_state`.

        One conditional UPDATE plus the audit event, in one transaction. Returns the updated request, or
        None when another caller moved it first (or it does not exist). `expired_by` adds the condition
        "expires at or before this time"; `claimed_by`, "still held by this claim". `values` sets other
        columns (see `schema.requests`).
        """
        return await request_writes.transition(
            self._db,
            request_id,
            from_state,
            to_state,
            at=at,
            event=event,
            values=values,
            expired_by=expired_by,
            claimed_by=claimed_by,
        )

    async def renew_lease(self, request_id: str, claimed_by: str, until: datetime) -> bool:
        """Extend an execution's lease to `until` if the request is still `executing` under the claim
        `claimed_by`; False when the claim was lost. Not a transition: no audit event, `updated_at` kept."""
        return await request_writes.renew_lease(self._db, request_id, claimed_by, until)

    async def add_approval(self, request_id: str, user: str, at: datetime) -> ApprovalAdded:
        """Count `user`'s approval once; the approval that completes the count moves it to `approved`.

        The request row is locked for the whole check-insert-count-update, so concurrent approvals are
        counted one after another: exactly one of them sees the count reached.
        """
        return await approvals.add_approval(self._db, request_id, user, at)

    async def set_card(self, request_id: str, channel: str, ts: str, *, at: datetime) -> Request | None:
        """Remember where the request's Slack card is (no state change, no audit event)."""
        return await request_writes.set_card(self._db, request_id, channel, ts, at=at)

    # --- timers and break-glass (migration 0002) ----------------------------------------------------

    async def due(
        self, column: TimerColumn, at: datetime, *, state: RequestState | None = None
    ) -> list[Request]:
        """Requests whose `column` (a due time) is set and at or before `at` (and in `state`), soonest
        first."""
        return await self._requests(request_queries.due_query(column, at, state))

    async def update_if(
        self,
        request_id: str,
        *,
        at: datetime,
        event: EventDraft,
        values: Mapping[str, Any],
        state: RequestState | None = None,
        to_state: RequestState | None = None,
        due: TimerColumn | None = None,
        review_state: ReviewState | Literal["none"] | None = None,
    ) -> tuple[Request, AuditEvent] | None:
        """One conditional UPDATE plus its audit event, in one transaction; None if another caller (or
        replica) got there first or a condition does not hold.

        Conditions: the request is in `state` (moving to `to_state` if given), its `due` column is set and
        at or before `at`, its review is in `review_state` (`"none"`: no review yet).
        """
        return await request_writes.update_if(
            self._db,
            request_id,
            at=at,
            event=event,
            values=values,
            state=state,
            to_state=to_state,
            due=due,
            review_state=review_state,
        )

    async def count_emergencies(self, requester: str, since: datetime) -> int:
        """How many break-glass requests `requester` has made since `since`."""
        async with self._db.read() as conn:
            return await emergency.count_emergencies(conn, requester, since)

    async def list_for_review(self) -> list[Request]:
        """Break-glass requests that have run (succeeded or failed) and have no review yet."""
        return await self._requests(emergency.review_query())

    # --- audit --------------------------------------------------------------------------------------

    async def append_event(
        self,
        event: EventDraft,
        *,
        at: datetime,
        request: Request | None = None,
        cluster_id: str | None = None,
        cluster_name: str | None = None,
    ) -> AuditEvent:
        """Record an event that changes no state (a refused request, a failed reconciliation, …)."""
        async with self._db.write() as conn:
            return await audit.append(
                conn, event, request, None, None, at, cluster_id=cluster_id, cluster_name=cluster_name
            )

    async def events(
        self,
        *,
        request_id: str | None = None,
        cluster: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        after_id: int = 0,
        limit: int | None = None,
        latest: bool = False,
    ) -> list[AuditEvent]:
        """Audit events in the order they were written; `cluster` matches its name or id, `until` is
        exclusive. `limit` is applied in SQL: the first `limit` events, or with `latest` the last ones
        (still returned oldest first), so a long history is never read whole."""
        query = audit.events_query(
            request_id=request_id,
            cluster=cluster,
            since=since,
            until=until,
            after_id=after_id,
            limit=limit,
            latest=latest,
        )
        async with self._db.read() as conn:
            rows = (await conn.execute(query)).all()
        found = [event_from_row(row) for row in rows]
        return found[::-1] if latest else found

    async def _requests(self, query: Select[Any]) -> list[Request]:
        """The requests a `select(requests)` query finds, with their approvals."""
        async with self._db.read() as conn:
            return await request_queries.hydrate(conn, (await conn.execute(query)).all())
