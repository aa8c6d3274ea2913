"""Carrying out approved requests, exactly once: claim (approved → executing, with a lease), execute,
settle (succeeded | failed | unknown), and recover what a crash interrupted. The only caller of the
service layer (`ChangeService`): planning for intake goes through `plan` here too.

The lease is short (15 s by default) and renewed by a heartbeat while the executor waits on DigitalOcean
(`lease.py`); every settlement of an execution is conditional on its claim, so an executor that lost its
claim settles nothing. `recover()` reconciles any request whose lease has passed: its executor is gone.
When reconciliation shows that an interrupted change was not applied, it is carried out under a new claim
(`unknown --resumed--> executing`), once; the service layer refuses it if the plan no longer holds.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from bot.metrics import Metrics
from bot.ops.changes import Change
from bot.ops.errors import OpsError, OutcomeUnknownError, UpstreamFailure
from bot.ops.plan import ExecutionResult, Outcome, Plan
from bot.store import EventDraft, Failure, Request, RequestState, Store, result_values

from .errors import RequestNotFound
from .events import REQUEST_AGAIN, EventKind
from .journal import Journal
from .lease import ClaimLost, new_claim, with_heartbeat
from .ports import ChangeService, Clock
from .revert import revert_values

__all__ = ["SYSTEM_ACTOR", "Runner"]

log = logging.getLogger(__name__)

SYSTEM_ACTOR = "dbops"
"""The actor of events the bot itself causes (claims, results, expiry, recovery)."""

RESUMED_MESSAGE = "the change was not applied before the crash; carrying it out now"

_S = RequestState


class Runner:
    def __init__(
        self,
        store: Store,
        journal: Journal,
        service: ChangeService,
        clock: Clock,
        *,
        metrics: Metrics | None,
        execution_timeout: timedelta,
        lease: timedelta,
        instance: str,
        revert_window: timedelta = timedelta(),
    ) -> None:
        self._store = store
        self._journal = journal
        self._service = service
        self._clock = clock
        self._metrics = metrics
        self._timeout = execution_timeout
        self._lease = lease
        self._instance = instance
        self._revert_window = revert_window

    async def plan(self, change: Change) -> Plan:
        """The service layer's plan (raises its `OpsError` when it refuses the change)."""
        return await self._service.plan(change)

    async def execute(self, request_id: str) -> Request:
        """Claim an approved request and carry it out; only the caller whose claim succeeds calls the
        service layer. Anyone else gets the request as it is."""
        request = await self._get(request_id)
        return await self._claim_and_run(
            request, _S.APPROVED, EventKind.EXECUTING, f"Carrying out {request_id}."
        )

    async def recover(self) -> list[Request]:
        """Finish what a crash interrupted, without ever repeating a change: `executing` past their lease
        and `unknown` ones are reconciled from DigitalOcean's state (an interrupted change that was not
        applied is carried out, once); `approved` ones never claimed are executed. Returns the requests
        it handled."""
        now = self._clock()
        for request in await self._store.list_requests([_S.EXECUTING]):
            if request.lease_expires_at is not None and request.lease_expires_at > now:
                continue  # its executor's heartbeat still renews the lease
            await self._journal.move(
                request,
                _S.EXECUTING,
                _S.UNKNOWN,
                EventDraft(
                    kind=EventKind.INTERRUPTED,
                    actor=SYSTEM_ACTOR,
                    message=f"{request.id} was interrupted while being carried out; checking DigitalOcean "
                    "instead of repeating it.",
                    detail={"claimed_by": request.claimed_by},
                ),
                at=now,
                claim=request.claimed_by,
            )
        handled = [await self._reconcile(r) for r in await self._store.list_requests([_S.UNKNOWN])]
        for request in await self._store.list_requests([_S.APPROVED]):
            handled.append(await self.execute(request.id))
        return handled

    def _claim_values(self, claim: str, now: datetime) -> dict[str, object]:
        return {"claimed_at": now, "claimed_by": claim, "lease_expires_at": now + self._lease}

    async def _timed(self, request: Request, claim: str, *, resumed: bool) -> Request:
        started = time.monotonic()
        final = await self._carry_out(request, claim, resumed=resumed)
        if self._metrics is not None:
            self._metrics.execution_latency.labels(request.action.value).observe(time.monotonic() - started)
        return final

    async def _carry_out(self, request: Request, claim: str, *, resumed: bool) -> Request:
        async def renew() -> bool:
            return await self._journal.renew(request, claim, self._clock() + self._lease)

        try:
            result = await with_heartbeat(
                self._service.execute(request.plan),
                renew,
                every=self._lease.total_seconds() / 3,
                timeout=self._timeout.total_seconds(),
            )
        except ClaimLost:
            log.warning("the claim was lost; another process settles it", extra={"request_id": request.id})
            return await self._get(request.id)
        except OutcomeUnknownError as error:
            return await self._to_unknown(request, claim, str(error))
        except OpsError as error:
            upstream = error if isinstance(error, UpstreamFailure) else None
            failure = Failure(
                message=str(error),
                status=upstream.status if upstream else None,
                request_id=upstream.request_id if upstream else None,
            )
            return await self._settle(
                request, _S.EXECUTING, None, failure, kind=EventKind.FAILED, claim=claim, again=resumed
            )
        except TimeoutError:
            why = f"DigitalOcean gave no answer within {self._timeout.total_seconds():.0f}s."
            return await self._to_unknown(request, claim, why)
        except Exception:
            log.exception("the service layer failed unexpectedly", extra={"request_id": request.id})
            return await self._to_unknown(
                request, claim, "The change was interrupted by an unexpected error."
            )
        return await self._settle_result(
            request, _S.EXECUTING, result, kind=EventKind.EXECUTED, claim=claim, again=resumed
        )

    async def _to_unknown(self, request: Request, claim: str, why: str) -> Request:
        moved = await self._journal.move(
            request,
            _S.EXECUTING,
            _S.UNKNOWN,
            EventDraft(kind=EventKind.UNKNOWN, actor=SYSTEM_ACTOR, message=f"{why} Checking DigitalOcean."),
            at=self._clock(),
            claim=claim,
        )
        if moved is None:
            return await self._late(request, why)
        return await self._reconcile(moved)

    async def _reconcile(self, request: Request) -> Request:
        try:
            result = await self._service.reconcile(request.plan)
        except Exception as error:
            log.warning(
                "reconciliation failed; will retry", extra={"request_id": request.id, "error": repr(error)}
            )
            await self._journal.note(
                EventDraft(
                    kind=EventKind.RECONCILE_FAILED,
                    actor=SYSTEM_ACTOR,
                    message=f"Could not check {request.id} on DigitalOcean yet; will try again.",
                    detail={"error": str(error)},
                ),
                at=self._clock(),
                request=request,
                tell=True,
            )
            return request
        interrupted, resumed_before = await self._history(request)
        if result.outcome is Outcome.NOT_APPLIED and interrupted and not resumed_before:
            return await self._resume(request)
        return await self._settle_result(
            request, _S.UNKNOWN, result, kind=EventKind.RECONCILED, again=interrupted or resumed_before
        )

    async def _history(self, request: Request) -> tuple[bool, bool]:
        """Whether the request is `unknown` because its executor was interrupted (not because DigitalOcean
        gave no clear answer), and whether an interrupted execution of it was already resumed."""
        events = await self._store.events(request_id=request.id)
        into_unknown = [e.kind for e in events if e.to_state is _S.UNKNOWN]
        interrupted = bool(into_unknown) and into_unknown[-1] == EventKind.INTERRUPTED
        return interrupted, any(e.kind == EventKind.RESUMED for e in events)

    async def _resume(self, request: Request) -> Request:
        """`unknown --resumed--> executing` under a new claim (one process wins it), then carry it out: the
        approvals stand; the service layer re-reads the state and refuses a plan that no longer holds."""
        return await self._claim_and_run(
            request, _S.UNKNOWN, EventKind.RESUMED, f"{request.id}: {RESUMED_MESSAGE}."
        )

    async def _claim_and_run(self, request: Request, state: _S, kind: EventKind, message: str) -> Request:
        """Move `request` from `state` to executing under a new claim (one caller wins it) and carry it out;
        anyone else gets the request as it is."""
        now, claim = self._clock(), new_claim(self._instance)
        claimed = await self._journal.move(
            request,
            state,
            _S.EXECUTING,
            EventDraft(kind=kind, actor=SYSTEM_ACTOR, message=message, detail={"instance": self._instance}),
            at=now,
            values=self._claim_values(claim, now),
        )
        if claimed is None:
            return await self._get(request.id)
        return await self._timed(claimed, claim, resumed=kind is EventKind.RESUMED)

    async def _settle_result(
        self,
        request: Request,
        source: RequestState,
        result: ExecutionResult,
        *,
        kind: EventKind,
        claim: str | None = None,
        again: bool = False,
    ) -> Request:
        failure = None if result.outcome is Outcome.APPLIED else Failure(message=result.message)
        return await self._settle(request, source, result, failure, kind=kind, claim=claim, again=again)

    async def _settle(
        self,
        request: Request,
        source: RequestState,
        result: ExecutionResult | None,
        failure: Failure | None,
        *,
        kind: EventKind,
        claim: str | None = None,
        again: bool = False,
    ) -> Request:
        """Record the outcome (`claim`: only while the execution still holds it). `again`: the change was
        interrupted or resumed, so a failure offers to request it again."""
        now = self._clock()
        said = failure.message if failure else (result.message if result else "")
        detail: dict[str, object] = {"outcome": result.outcome.value if result else None}
        if failure is not None:
            detail |= {"status": failure.status, "do_request_id": failure.request_id}
            if again:
                detail[REQUEST_AGAIN] = True
        moved = await self._journal.move(
            request,
            source,
            _S.FAILED if failure else _S.SUCCEEDED,
            EventDraft(
                kind=kind,
                actor=SYSTEM_ACTOR,
                message=f"{request.id} {'failed' if failure else 'succeeded'}: {said}",
                detail=detail,
            ),
            at=now,
            values={
                **result_values(result, failure),
                "finished_at": now,
                **revert_values(request, failure is None, self._revert_window, now),
            },
            claim=claim,
        )
        return moved if moved is not None else await self._late(request, said)

    async def _late(self, request: Request, said: str) -> Request:
        """A result for a request someone else already settled (e.g. reconciled after our lease)."""
        current = await self._get(request.id)
        log.warning("late result ignored", extra={"request_id": request.id, "state": current.state.value})
        await self._journal.note(
            EventDraft(
                kind=EventKind.LATE_RESULT,
                actor=SYSTEM_ACTOR,
                message=f"A late result for {request.id} was ignored, "
                f"it is already {current.state.value}: {said}",
            ),
            at=self._clock(),
            request=current,
        )
        return current

    async def _get(self, request_id: str) -> Request:
        request = await self._store.get(request_id)
        if request is None:
            raise RequestNotFound(request_id)
        return request
