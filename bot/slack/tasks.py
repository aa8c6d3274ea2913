"""The background work behind every ack: tracked tasks, bounded, logged, drained on shutdown.

bolt answers Slack once `ack()` is called; everything slow (DigitalOcean, the store, the card) runs here.
The registry keeps a reference to each task (so none is garbage-collected mid-flight), limits how many run
at once, logs every failure with its traceback, reports it to the person through `on_error`, and
`drain()` waits for what is running when the server stops.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

__all__ = ["TaskRegistry"]

log = logging.getLogger(__name__)

ErrorReporter = Callable[[BaseException], Awaitable[None]]


class TaskRegistry:
    """Run coroutines in the background with at most `limit` at once."""

    def __init__(self, *, limit: int = 32) -> None:
        self._semaphore = asyncio.Semaphore(limit)
        self._tasks: set[asyncio.Task[None]] = set()
        self.failures = 0
        self._closed = False

    @property
    def running(self) -> int:
        return len(self._tasks)

    def spawn(
        self, work: Coroutine[Any, Any, object], *, name: str, on_error: ErrorReporter | None = None
    ) -> asyncio.Task[None]:
        """Start `work` now (it waits for a slot if `limit` tasks are running); never raises."""
        if self._closed:
            work.close()
            raise RuntimeError("the bot is shutting down and takes no new work")
        task = asyncio.create_task(self._run(work, name, on_error), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _run(
        self, work: Coroutine[Any, Any, object], name: str, on_error: ErrorReporter | None
    ) -> None:
        async with self._semaphore:
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
