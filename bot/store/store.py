"""The durable store: requests, approvals and the append-only audit log, on SQLite or PostgreSQL.

Every change of a request's state is one conditional `UPDATE … WHERE id = … AND state = …` whose row
count says whether this caller won; the audit event of a transition is written in the same transaction.
On SQLite every writing transaction starts with `BEGIN IMMEDIATE` (WAL, busy timeout), so writers queue
instead of failing; on PostgreSQL the approval path locks the request row (`SELECT … FOR UPDATE`).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from sqlalchemy import ColumnElement, Row, Select, event, func, insert, inspect, or_, select, text, update
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from bot.ops.changes import CHANGE_ADAPTER
from bot.ops.plan import ExecutionResult, Plan

from .errors import ActiveRequestExists, EmergencyCapReached, StoreError, UnsupportedDatabaseUrl
from .records import (
    ACTIVE_STATES,
    Approval,
    AuditEvent,
    EventDraft,
    Failure,
    Request,
    RequestState,
    ReviewState,
)
from .schema import approvals, audit_events, requests
from .url import async_database_url

__all__ = ["AddApproval", "ApprovalAdded", "RequestIdTaken", "Store", "TimerColumn", "result_values"]

log = logging.getLogger(__name__)

_SQLITE_BUSY_TIMEOUT_S = 30.0
_MIGRATION_LOCK_KEY = 0x64626F7073  # "dbops": serializes concurrent `migrate()` calls on PostgreSQL

TimerColumn = Literal["runs_at", "remind_at", "escalate_at", "review_due_at"]
"""The due-time columns the timer sweep fires from."""


@dataclass(frozen=True)
class EmergencyCap:
    """At most `limit` break-glass requests per requester since `since`."""

    limit: int
    since: datetime


class RequestIdTaken(StoreError):
    """The random request id is already in use (the caller draws another)."""


class AddApproval(StrEnum):
    """What `Store.add_approval` did."""

    COUNTED = "counted"  # recorded; more approvals are needed
    APPROVED = "approved"  # recorded, and it completed the count: the request is now approved
    DUPLICATE = "duplicate"  # this person had already approved
    NOT_PENDING = "not_pending"  # the request is no longer pending
    EXPIRED = "expired"  # still pending, but past its expiry
    NOT_FOUND = "not_found"


class ApprovalAdded:
    """The result of `Store.add_approval`: what happened, and the request as it is now."""

    __slots__ = ("events", "request", "status")

    def __init__(
        self, status: AddApproval, request: Request | None, events: tuple[AuditEvent, ...] = ()
    ) -> None:
        self.status = status
        self.request = request
        self.events = events


class Store:
    """Requests, approvals and audit events; one instance per process, shared by every task."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._is_sqlite = engine.dialect.name == "sqlite"
        if self._is_sqlite:
            _tune_sqlite(engine)

    @classmethod
    def from_url(cls, database_url: str | URL) -> Store:
        """Connect lazily to `DATABASE_URL` as people write it (see `async_database_url`)."""
        url = database_url if isinstance(database_url, URL) else async_database_url(database_url)
        options: dict[str, Any] = {"pool_pre_ping": True}
        if url.drivername.startswith("sqlite"):
            options["connect_args"] = {"timeout": _SQLITE_BUSY_TIMEOUT_S}
        try:
            engine = create_async_engine(url, **options)
        except Exception as error:
            log.error("cannot create the database engine", extra={"error": repr(error)})
            raise UnsupportedDatabaseUrl(
                f"DATABASE_URL {url.render_as_string(hide_password=True)} cannot be used: {error}"
            ) from None
        return cls(engine)

    @property
    def dialect(self) -> str:
        """`sqlite` or `postgresql`."""
        return self._engine.dialect.name

    @property
    def engine(self) -> AsyncEngine:
        return self._engine

    async def close(self) -> None:
        await self._engine.dispose()

    async def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision; safe to run from several processes at once."""
        from .migrate import upgrade_to_head

        async with self._write() as conn:
            if not self._is_sqlite:
                await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
            await conn.run_sync(upgrade_to_head)

    async def ping(self) -> None:
        """Raise if the store cannot be reached (for `/readyz`)."""
        async with self._read() as conn:
            await conn.execute(text("SELECT 1"))

    async def is_migrated(self) -> bool:
        """Whether the store has the dbops tables (a fresh database has none until `migrate`)."""
        async with self._read() as conn:
            names = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
        return {"requests", "audit_events"} <= set(names)

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
        try:
            async with self._write() as conn:
                if emergency_cap is not None:
                    await self._check_emergency_cap(conn, request.requester, emergency_cap)
                existing = await self._active_for(conn, request.resource_key)
                if existing is not None:
                    raise ActiveRequestExists(existing)
                await conn.execute(insert(requests).values(**_request_row(request)))
                stored = await self._append(conn, event, request, None, request.state, request.created_at)
        except IntegrityError:
            async with self._read() as conn:
                existing = await self._active_for(conn, request.resource_key)
                taken = (await conn.execute(select(requests.c.id).where(requests.c.id == request.id))).first()
            if existing is not None:
                raise ActiveRequestExists(existing) from None
            if taken is not None:
                raise RequestIdTaken(f"request id {request.id} is already in use.") from None
            raise
        return request, stored

    async def get(self, request_id: str) -> Request | None:
        async with self._read() as conn:
            return await self._get(conn, request_id)

    async def list_requests(
        self,
        states: Collection[RequestState] | None = None,
        *,
        cluster: str | None = None,
        limit: int | None = None,
    ) -> list[Request]:
        """Requests, oldest first, optionally only in `states` and on `cluster` (its name or id)."""
        query = select(requests).order_by(requests.c.created_at, requests.c.id)
        if states is not None:
            query = query.where(requests.c.state.in_([state.value for state in states]))
        if cluster is not None:
            query = query.where(or_(requests.c.cluster_name == cluster, requests.c.cluster_id == cluster))
        if limit is not None:
            query = query.limit(limit)
        return await self._requests(query)

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
    ) -> tuple[Request, AuditEvent] | None:
        """Move the request from `from_state` to `to_state` if, and only if, it is still in `from_state`.

        One conditional UPDATE plus the audit event, in one transaction. Returns the updated request, or
        None when another caller moved it first (or it does not exist). `expired_by` adds the condition
        "expires at or before this time". `values` sets other columns (see `schema.requests`).
        """
        conditions: list[ColumnElement[bool]] = [
            requests.c.id == request_id,
            requests.c.state == from_state.value,
        ]
        if expired_by is not None:
            conditions.append(requests.c.expires_at <= expired_by)
        statement = (
            update(requests)
            .where(*conditions)
            .values(state=to_state.value, updated_at=at, **dict(values or {}))
        )
        async with self._write() as conn:
            if (await conn.execute(statement)).rowcount != 1:
                return None
            request = await self._get(conn, request_id)
            assert request is not None
            return request, await self._append(conn, event, request, from_state, to_state, at)

    async def add_approval(self, request_id: str, user: str, at: datetime) -> ApprovalAdded:
        """Count `user`'s approval once; the approval that completes the count moves it to `approved`.

        The request row is locked for the whole check-insert-count-update, so concurrent approvals are
        counted one after another: exactly one of them sees the count reached.
        """
        async with self._write() as conn:
            locked = select(requests.c.state, requests.c.expires_at, requests.c.required_approvals).where(
                requests.c.id == request_id
            )
            row = (await conn.execute(locked.with_for_update())).first()
            if row is None:
                return ApprovalAdded(AddApproval.NOT_FOUND, None)
            if row.state != RequestState.PENDING.value:
                return ApprovalAdded(AddApproval.NOT_PENDING, await self._get(conn, request_id))
            if row.expires_at <= at:
                return ApprovalAdded(AddApproval.EXPIRED, await self._get(conn, request_id))
            mine = select(approvals.c.user_id).where(
                approvals.c.request_id == request_id, approvals.c.user_id == user
            )
            if (await conn.execute(mine)).first() is not None:
                return ApprovalAdded(AddApproval.DUPLICATE, await self._get(conn, request_id))
            await conn.execute(insert(approvals).values(request_id=request_id, user_id=user, approved_at=at))
            count = (
                await conn.execute(
                    select(func.count()).select_from(approvals).where(approvals.c.request_id == request_id)
                )
            ).scalar_one()
            required = row.required_approvals
            reached = count >= required
            if reached:
                moved = await conn.execute(
                    update(requests)
                    .where(requests.c.id == request_id, requests.c.state == RequestState.PENDING.value)
                    .values(state=RequestState.APPROVED.value, updated_at=at)
                )
                if moved.rowcount != 1:  # cannot happen under the row lock; never count it twice
                    raise StoreError(f"{request_id} changed state while locked.")
            else:
                await conn.execute(update(requests).where(requests.c.id == request_id).values(updated_at=at))
            request = await self._get(conn, request_id)
            assert request is not None
            vote = EventDraft(
                kind="approval",
                actor=user,
                message=f"{user} approved ({count} of {required}).",
                detail={"count": count, "required": required},
            )
            events = [await self._append(conn, vote, request, RequestState.PENDING, None, at)]
            if reached:
                done = EventDraft(
                    kind="approved",
                    actor=user,
                    message=f"{request_id} has all {required} approvals it needs.",
                    detail={"approvers": request.approvers},
                )
                events.append(
                    await self._append(conn, done, request, RequestState.PENDING, RequestState.APPROVED, at)
                )
            status = AddApproval.APPROVED if reached else AddApproval.COUNTED
            return ApprovalAdded(status, request, tuple(events))

    async def set_card(self, request_id: str, channel: str, ts: str, *, at: datetime) -> Request | None:
        """Remember where the request's Slack card is (no state change, no audit event)."""
        async with self._write() as conn:
            result = await conn.execute(
                update(requests)
                .where(requests.c.id == request_id)
                .values(card_channel=channel, card_ts=ts, updated_at=at)
            )
            if result.rowcount != 1:
                return None
            return await self._get(conn, request_id)

    # --- timers and break-glass (migration 0002) ----------------------------------------------------

    async def due(
        self, column: TimerColumn, at: datetime, *, state: RequestState | None = None
    ) -> list[Request]:
        """Requests whose `column` (a due time) is set and at or before `at` (and in `state`), soonest
        first."""
        col = requests.c[column]
        query = select(requests).where(col.is_not(None), col <= at).order_by(col, requests.c.id)
        if state is not None:
            query = query.where(requests.c.state == state.value)
        return await self._requests(query)

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
        conditions: list[ColumnElement[bool]] = [requests.c.id == request_id]
        if state is not None:
            conditions.append(requests.c.state == state.value)
        if due is not None:
            conditions += [requests.c[due].is_not(None), requests.c[due] <= at]
        if review_state == "none":
            conditions.append(requests.c.review_state.is_(None))
        elif review_state is not None:
            conditions.append(requests.c.review_state == review_state.value)
        row = {**dict(values), "updated_at": at}
        if to_state is not None:
            row["state"] = to_state.value
        async with self._write() as conn:
            if (await conn.execute(update(requests).where(*conditions).values(**row))).rowcount != 1:
                return None
            request = await self._get(conn, request_id)
            assert request is not None
            moved_from = state if to_state is not None else None
            return request, await self._append(conn, event, request, moved_from, to_state, at)

    async def count_emergencies(self, requester: str, since: datetime) -> int:
        """How many break-glass requests `requester` has made since `since`."""
        async with self._read() as conn:
            return await self._count_emergencies(conn, requester, since)

    async def _count_emergencies(self, conn: AsyncConnection, requester: str, since: datetime) -> int:
        query = (
            select(func.count())
            .select_from(requests)
            .where(
                requests.c.requester == requester,
                requests.c.emergency_reason.is_not(None),
                requests.c.created_at >= since,
            )
        )
        return int((await conn.execute(query)).scalar_one())

    async def _check_emergency_cap(self, conn: AsyncConnection, requester: str, cap: EmergencyCap) -> None:
        if not self._is_sqlite:  # SQLite's BEGIN IMMEDIATE already serialises every writer
            await conn.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"dbops-emergency:{requester}"}
            )
        made = await self._count_emergencies(conn, requester, cap.since)
        if made >= cap.limit:
            raise EmergencyCapReached(made)

    async def list_for_review(self) -> list[Request]:
        """Break-glass requests that have run (succeeded or failed) and have no review yet."""
        query = (
            select(requests)
            .where(
                requests.c.emergency_reason.is_not(None),
                requests.c.review_state.is_(None),
                requests.c.state.in_([RequestState.SUCCEEDED.value, RequestState.FAILED.value]),
            )
            .order_by(requests.c.created_at, requests.c.id)
        )
        return await self._requests(query)

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
        async with self._write() as conn:
            return await self._append(
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
        order = audit_events.c.id.desc() if latest else audit_events.c.id
        query = select(audit_events).where(audit_events.c.id > after_id).order_by(order)
        if request_id is not None:
            query = query.where(audit_events.c.request_id == request_id)
        if cluster is not None:
            query = query.where(
                or_(audit_events.c.cluster_name == cluster, audit_events.c.cluster_id == cluster)
            )
        if since is not None:
            query = query.where(audit_events.c.at >= since)
        if until is not None:
            query = query.where(audit_events.c.at < until)
        if limit is not None:
            query = query.limit(limit)
        async with self._read() as conn:
            rows = (await conn.execute(query)).all()
        found = [_event_from_row(row) for row in rows]
        return found[::-1] if latest else found

    # --- internals ------------------------------------------------------------------------------------

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[AsyncConnection]:
        async with self._engine.begin() as conn:
            yield conn

    @asynccontextmanager
    async def _read(self) -> AsyncIterator[AsyncConnection]:
        async with self._engine.connect() as conn:
            if self._is_sqlite:
                conn = await conn.execution_options(dbops_sqlite_begin="BEGIN")
            async with conn.begin():
                yield conn

    async def _active_for(self, conn: AsyncConnection, resource_key: str) -> str | None:
        query = select(requests.c.id).where(
            requests.c.resource_key == resource_key,
            requests.c.state.in_([state.value for state in ACTIVE_STATES]),
        )
        return (await conn.execute(query)).scalar_one_or_none()

    async def _get(self, conn: AsyncConnection, request_id: str) -> Request | None:
        rows = (await conn.execute(select(requests).where(requests.c.id == request_id))).all()
        found = await self._hydrate(conn, rows)
        return found[0] if found else None

    async def _requests(self, query: Select[Any]) -> list[Request]:
        """The requests a `select(requests)` query finds, with their approvals."""
        async with self._read() as conn:
            return await self._hydrate(conn, (await conn.execute(query)).all())

    async def _hydrate(self, conn: AsyncConnection, rows: Sequence[Row[Any]]) -> list[Request]:
        if not rows:
            return []
        ids = [row.id for row in rows]
        votes: dict[str, list[Approval]] = {request_id: [] for request_id in ids}
        query = (
            select(approvals)
            .where(approvals.c.request_id.in_(ids))
            .order_by(approvals.c.approved_at, approvals.c.user_id)
        )
        for vote in (await conn.execute(query)).all():
            votes[vote.request_id].append(Approval(user=vote.user_id, at=vote.approved_at))
        return [_request_from_row(row, votes[row.id]) for row in rows]

    async def _append(
        self,
        conn: AsyncConnection,
        event: EventDraft,
        request: Request | None,
        from_state: RequestState | None,
        to_state: RequestState | None,
        at: datetime,
        *,
        cluster_id: str | None = None,
        cluster_name: str | None = None,
    ) -> AuditEvent:
        stored = AuditEvent(
            id=0,
            at=at,
            kind=event.kind,
            actor=event.actor,
            request_id=request.id if request else None,
            cluster_id=request.cluster_id if request else cluster_id,
            cluster_name=request.cluster_name if request else cluster_name,
            from_state=from_state,
            to_state=to_state,
            message=event.message,
            detail=event.detail,
        )
        row = stored.model_dump(exclude={"id"})
        row["from_state"] = from_state.value if from_state else None
        row["to_state"] = to_state.value if to_state else None
        result = await conn.execute(insert(audit_events).values(**row))
        key = result.inserted_primary_key
        assert key is not None
        return stored.model_copy(update={"id": key[0]})


def _tune_sqlite(engine: AsyncEngine) -> None:
    """WAL, a busy timeout, foreign keys, and `BEGIN IMMEDIATE` for writing transactions."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(_SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(conn.get_execution_options().get("dbops_sqlite_begin", "BEGIN IMMEDIATE"))


def _request_row(request: Request) -> dict[str, Any]:
    failure = request.failure
    return {
        "id": request.id,
        "action": request.action.value,
        "state": request.state.value,
        "resource_key": request.resource_key,
        "cluster_id": request.cluster_id,
        "cluster_name": request.cluster_name,
        "change": CHANGE_ADAPTER.dump_python(request.change, mode="json"),
        "plan": request.plan.model_dump(mode="json"),
        "requester": request.requester,
        "channel": request.channel,
        "card_channel": request.card_channel,
        "card_ts": request.card_ts,
        "required_approvals": request.required_approvals,
        "rejected_by": request.rejected_by,
        "rejection_reason": request.rejection_reason,
        "cancelled_by": request.cancelled_by,
        "created_at": request.created_at,
        "updated_at": request.updated_at,
        "expires_at": request.expires_at,
        "claimed_at": request.claimed_at,
        "claimed_by": request.claimed_by,
        "lease_expires_at": request.lease_expires_at,
        "finished_at": request.finished_at,
        "result": request.result.model_dump(mode="json") if request.result else None,
        "error_message": failure.message if failure else None,
        "error_status": failure.status if failure else None,
        "error_request_id": failure.request_id if failure else None,
        "emergency_reason": request.emergency_reason,
        "runs_at": request.runs_at,
        "remind_at": request.remind_at,
        "escalate_at": request.escalate_at,
        "escalated_at": request.escalated_at,
        "review_state": request.review_state.value if request.review_state else None,
        "review_due_at": request.review_due_at,
        "reviewed_by": request.reviewed_by,
        "reviewed_at": request.reviewed_at,
    }


def result_values(result: ExecutionResult | None, failure: Failure | None) -> dict[str, Any]:
    """Column values for a request's outcome (for `Store.transition(values=…)`)."""
    return {
        "result": result.model_dump(mode="json") if result else None,
        "error_message": failure.message if failure else None,
        "error_status": failure.status if failure else None,
        "error_request_id": failure.request_id if failure else None,
    }


def _request_from_row(row: Row[Any], votes: list[Approval]) -> Request:
    failure = (
        Failure(message=row.error_message, status=row.error_status, request_id=row.error_request_id)
        if row.error_message is not None
        else None
    )
    return Request(
        id=row.id,
        action=row.action,
        change=CHANGE_ADAPTER.validate_python(row.change),
        plan=Plan.model_validate(row.plan),
        resource_key=row.resource_key,
        cluster_id=row.cluster_id,
        cluster_name=row.cluster_name,
        state=RequestState(row.state),
        requester=row.requester,
        channel=row.channel,
        card_channel=row.card_channel,
        card_ts=row.card_ts,
        required_approvals=row.required_approvals,
        approvals=tuple(votes),
        rejected_by=row.rejected_by,
        rejection_reason=row.rejection_reason,
        cancelled_by=row.cancelled_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
        expires_at=row.expires_at,
        claimed_at=row.claimed_at,
        claimed_by=row.claimed_by,
        lease_expires_at=row.lease_expires_at,
        finished_at=row.finished_at,
        result=ExecutionResult.model_validate(row.result) if row.result is not None else None,
        failure=failure,
        emergency_reason=row.emergency_reason,
        runs_at=row.runs_at,
        remind_at=row.remind_at,
        escalate_at=row.escalate_at,
        escalated_at=row.escalated_at,
        review_state=ReviewState(row.review_state) if row.review_state else None,
        review_due_at=row.review_due_at,
        reviewed_by=row.reviewed_by,
        reviewed_at=row.reviewed_at,
    )


def _event_from_row(row: Row[Any]) -> AuditEvent:
    return AuditEvent(
        id=row.id,
        at=row.at,
        kind=row.kind,
        actor=row.actor,
        request_id=row.request_id,
        cluster_id=row.cluster_id,
        cluster_name=row.cluster_name,
        from_state=RequestState(row.from_state) if row.from_state else None,
        to_state=RequestState(row.to_state) if row.to_state else None,
        message=row.message,
        detail=row.detail,
    )
