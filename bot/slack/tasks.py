"""The background work behind every ack: tracked tasks, bounded, logged, drained on shutdown.

bolt answers Slack once `ack()` is called; everything slow (DigitalOcean, the store, the card) runs here.
The registry keeps a reference to each task (so none is garbage-collected mid-flight), limits how many run
at once, logs every failure with its traceback, reports it to the person through `on_error`, and
`drain()` waits for what is running when the server stops.

Fairness: ordinary work (reads, forms, submissions) shares `limit` slots, and one `person` holds at most
`per_person` of them, so one person's burst queues behind itself, not in front of everyone else.
Decisions (approve, reject, stop, cancel, acknowledge: `decision=True`) run in a lane of their own with
`decision_limit` slots, and never wait behind reads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

__all__ = ["TaskRegistry"]

log = logging.getLogger(__name__)

ErrorReporter = Callable[[BaseException], Awaitable[None]]


class TaskRegistry:
    """Run coroutines in the background: at most `limit` ordinary ones at once, `per_person` of them for one
    person, and decisions in their own lane of `decision_limit`."""

    def __init__(self, *, limit: int = 32, per_person: int = 4, decision_limit: int = 32) -> None:
        self._semaphore = asyncio.Semaphore(limit)
        self._decisions = asyncio.Semaphore(decision_limit)
        self._per_person = per_person
        self._people: dict[str, tuple[asyncio.Semaphore, int]] = {}  # person → (their slots, their tasks)
        self._tasks: set[asyncio.Task[None]] = set()
        self.failures = 0
        self._closed = False

    @property
    def running(self) -> int:
        return len(self._tasks)

    def spawn(
        self,
        work: Coroutine[Any, Any, object],
        *,
        name: str,
        on_error: ErrorReporter | None = None,
        person: str | None = None,
        decision: bool = False,
    ) -> asyncio.Task[None]:
        """Start `work` now; it waits for a slot in its lane (and, with `person`, for one of theirs)."""
        if self._closed:
            work.close()
            raise RuntimeError("the bot is shutting down and takes no new work")
        if decision:
            slots: list[asyncio.Semaphore] = [self._decisions]
        elif person:
            slots = [self._person_slots(person), self._semaphore]  # their own slot first: no shared one held
        else:
            slots = [self._semaphore]
        task = asyncio.create_task(self._run(work, name, on_error, slots), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        if person and not decision:
            task.add_done_callback(lambda _: self._person_done(person))
        return task

    def _person_slots(self, person: str) -> asyncio.Semaphore:
        slots, count = self._people.get(person) or (asyncio.Semaphore(self._per_person), 0)
        self._people[person] = (slots, count + 1)
        return slots

    def _person_done(self, person: str) -> None:
        slots, count = self._people[person]
        if count <= 1:
            del self._people[person]
        else:
            self._people[person] = (slots, count - 1)

    async def _run(
        self,
        work: Coroutine[Any, Any, object],
        name: str,
        on_error: ErrorReporter | None,
        slots: list[asyncio.Semaphore],
    ) -> None:
        async with contextlib.AsyncExitStack() as held:
            for slot in slots:
                await held.enter_async_context(slot)
            try:
                await work
            except asyncio.CancelledError:
                raise
            except Exception as error:
                self.failures += 1
                log.exception("background task %s failed", name, extra={"task": name})
                if on_error is not None:
                    try:
                        await on_error(error)
                    except Exception:
                        log.exception("could not report the failure of %s", name, extra={"task": name})

    async def drain(self, timeout: float | None = 30.0) -> None:
        """Take no new work and wait for the running tasks; cancel what is left after `timeout`."""
        self._closed = True
        pending = set(self._tasks)
        if not pending:
            return
        _, late = await asyncio.wait(pending, timeout=timeout)
        for task in late:
            log.warning("cancelling background task %s at shutdown", task.get_name())
            task.cancel()
        if late:
            await asyncio.gather(*late, return_exceptions=True)
