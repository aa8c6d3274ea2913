"""The approval workflow: policy, request state machine, exactly-once execution, audit. No Slack, no HTTP.

    policy = load_policy(settings.chatops_policy)
    store = Store.from_url(settings.database_url); await store.migrate()
    engine = ApprovalEngine(store, service, policy, resolver, notifier=slack_notifier)
    await engine.recover()                      # at start-up, then periodically with sweep_expired()
    request = await engine.submit(change, requester="U…", channel="C…")
    outcome = await engine.approve(request.id, "U…")

See docs/WORKFLOW.md.
"""

from bot.store import AuditEvent, Failure, Request, RequestState

from .engine import SYSTEM_ACTOR, ApprovalEngine
from .errors import (
    ChannelNotAllowed,
    DuplicateRequest,
    NotAllowed,
    NotPending,
    ProtectedDatabase,
    RequestNotFound,
    RequestRefused,
    WorkflowError,
)
from .outcomes import ApprovalOutcome, ApprovalStatus, describe_result
from .policy import ANYONE, GroupResolver, Policy, PolicyError, StaticGroups, load_policy
from .ports import ChangeService, Clock, Notifier, SilentNotifier, utc_now

__all__ = [
    "ANYONE",
    "SYSTEM_ACTOR",
    "ApprovalEngine",
    "ApprovalOutcome",
    "ApprovalStatus",
    "AuditEvent",
    "ChangeService",
    "ChannelNotAllowed",
    "Clock",
    "DuplicateRequest",
    "Failure",
    "GroupResolver",
    "NotAllowed",
    "NotPending",
    "Notifier",
    "Policy",
    "PolicyError",
    "ProtectedDatabase",
    "Request",
    "RequestNotFound",
    "RequestRefused",
    "RequestState",
    "SilentNotifier",
    "StaticGroups",
    "WorkflowError",
    "describe_result",
    "load_policy",
    "utc_now",
]
