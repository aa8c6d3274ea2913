"""An execution's lease: the claim token, and the heartbeat that renews the lease while the executor waits
on DigitalOcean.

A claim is `executing` plus a token in `claimed_by` (the instance and a random part, new for every
claim, so a resumed execution's claim differs from the one it replaced). The lease is short
(`EXECUTION_LEASE_SECONDS`, 15 s); the heartbeat renews it every third of that through the journal,
conditionally on the token. A refused renewal means the claim was lost (another process decided the
executor was gone): the call is cancelled and the executor settles nothing (`ClaimLost`).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

__all__ = ["ClaimLost", "new_claim", "with_heartbeat"]

log = logging.getLogger(__name__)

T = TypeVar("T")

_CLAIMED_BY_LENGTH = 100  # the store's `claimed_by` column


class ClaimLost(Exception):
    """The lease could not be renewed: the request is no longer `executing` under this claim."""


def new_claim(instance: str) -> str:
    """A claim token: the instance that holds it and a part no other claim shares."""
    token = uuid.uuid4().hex[:12]
    return f"{instance[: _CLAIMED_BY_LENGTH - len(token) - 1]}/{token}"


async def with_heartbeat(
    call: Coroutine[Any, Any, T],
    renew: Callable[[], Awaitable[bool]],
    *,
    every: float,
    timeout: float,
) -> T:
    """Await `call` while `renew()` runs every `every` seconds. Raises what `call` raises, `TimeoutError`
    after `timeout` seconds, or `ClaimLost` as soon as `renew()` answers False; `call` is cancelled then.
    A renewal that raises (the store is briefly unreachable) is logged and tried again at the next beat."""
    work = asyncio.ensure_future(call)
    beat = asyncio.ensure_future(_beat(renew, every))
    try:
        done, _ = await asyncio.wait({work, beat}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (work, beat):
            task.cancel()
        await asyncio.wait({work, beat})
    if work in done:
        return work.result()
    if beat in done and not beat.cancelled():
        beat.result()
        raise ClaimLost()
    raise TimeoutError()


async def _beat(renew: Callable[[], Awaitable[bool]], every: float) -> None:
    """Returns when a renewal is refused."""
    while True:
        await asyncio.sleep(every)
        try:
            kept = await renew()
        except Exception as error:
            log.warning("could not renew the execution's lease; trying again", extra={"error": repr(error)})
            continue
        if not kept:
            return
