"""The request state machine as data: every edge `state --event--> state` the journal may commit.

An edge not in `EDGES` is a programming error (`IllegalTransition`), raised before the store is touched.
`executed` and `reconciled` have two edges each: DigitalOcean's answer decides which one is taken. The
diagram in docs/WORKFLOW.md lists the same edges, one a line; a test checks that they agree.
"""

from __future__ import annotations

from typing import NamedTuple

from bot.store import RequestState

from .events import EventKind

__all__ = ["EDGES", "NEW", "Edge", "IllegalTransition", "check_edge"]

_S = RequestState
_E = EventKind


NEW = "new"
"""How the diagram names the source of a request's first edge (there is no row before it)."""


class Edge(NamedTuple):
    source: RequestState | None  # None: the request is being stored (`new` in the diagram)
    event: EventKind
    target: RequestState

    def __str__(self) -> str:
        source = self.source.value if self.source is not None else NEW
        return f"{source} --{self.event.value}--> {self.target.value}"


EDGES: frozenset[Edge] = frozenset(
    Edge(*edge)
    for edge in (
        (None, _E.SUBMITTED, _S.PENDING),
        (None, _E.EMERGENCY, _S.PENDING),  # a break-glass request, counting down
        (_S.PENDING, _E.APPROVED, _S.APPROVED),  # the approval that completes the count
        (_S.PENDING, _E.COUNTDOWN_OVER, _S.APPROVED),  # a break-glass countdown ended
        (_S.PENDING, _E.REJECTED, _S.REJECTED),
        (_S.PENDING, _E.CANCELLED, _S.CANCELLED),
        (_S.PENDING, _E.STOPPED, _S.CANCELLED),
        (_S.PENDING, _E.SUPERSEDED, _S.CANCELLED),
        (_S.PENDING, _E.EMERGENCY_REVOKED, _S.CANCELLED),
        (_S.PENDING, _E.EXPIRED, _S.EXPIRED),
        (_S.APPROVED, _E.EXECUTING, _S.EXECUTING),  # the claim
        (_S.EXECUTING, _E.EXECUTED, _S.SUCCEEDED),
        (_S.EXECUTING, _E.EXECUTED, _S.FAILED),  # DigitalOcean answered, the change is not in place
        (_S.EXECUTING, _E.FAILED, _S.FAILED),
        (_S.EXECUTING, _E.UNKNOWN, _S.UNKNOWN),
        (_S.EXECUTING, _E.INTERRUPTED, _S.UNKNOWN),  # its executor's lease passed
        (_S.UNKNOWN, _E.RESUMED, _S.EXECUTING),  # interrupted, not applied, plan holds: a new claim, once
        (_S.UNKNOWN, _E.RECONCILED, _S.SUCCEEDED),
        (_S.UNKNOWN, _E.RECONCILED, _S.FAILED),
    )
)


class IllegalTransition(RuntimeError):
    """A module asked the journal for an edge the state machine does not have (a bug, not a user error)."""

    def __init__(self, source: RequestState | None, event: str, target: RequestState | None) -> None:
        self.source, self.event, self.target = source, event, target
        super().__init__(f"no transition {source} --{event}--> {target} in the state machine")


def check_edge(source: RequestState | None, event: str, target: RequestState | None) -> None:
    """Raises `IllegalTransition` unless `source --event--> target` is an edge of `EDGES`."""
    if target is None or event not in EventKind.__members__.values():
        raise IllegalTransition(source, event, target)
    if Edge(source, EventKind(event), target) not in EDGES:
        raise IllegalTransition(source, event, target)
