"""The approval workflow: policy, request state machine, exactly-once execution, audit. No Slack, no HTTP.

    policy = load_policy(settings.chatops_policy)
    store = Store.from_url(settings.database_url); await store.migrate()
    engine = ApprovalEngine(store, service, policy, resolver, notifier=slack_notifier)
    await engine.recover()                      # at start-up, then periodically with sweep_expired()
    request = await engine.submit(change, requester="U…", channel="C…")
    outcome = await engine.approve(request.id, "U…")

See docs/WORKFLOW.md.
"""

from bot.store import AuditEvent, Failure, Request, RequestState, ReviewState

from .audit_export import export_audit
from .authority import Act, Reason, Verdict
from .channels import ChannelDirectory, ChannelInfo, NoChannelDirectory, StaticChannels
from .engine import SYSTEM_ACTOR, ApprovalEngine
from .errors import (
    AuditNotAllowed,
    ChannelNotAllowed,
    DuplicateRequest,
    EmergencyRefused,
    InputTooLong,
    NotAllowed,
    NotIncidentChannel,
    NotPending,
    RequestNotFound,
    RequestRefused,
    RevertRefused,
    ReviewNotOpen,
    WorkflowError,
)
from .events import REQUEST_AGAIN, EventKind
from .outcomes import ApprovalOutcome, ApprovalStatus, describe_result
from .policy import (
    ANYONE,
    BreakGlass,
    Escalation,
    GroupResolver,
    Policy,
    PolicyError,
    Reminders,
    StaticGroups,
    load_policy,
)
from .ports import ChangeService, Clock, Notifier, SilentNotifier, utc_now
from .transitions import EDGES, Edge, IllegalTransition

__all__ = [
    "ANYONE",
    "EDGES",
    "REQUEST_AGAIN",
    "SYSTEM_ACTOR",
    "Act",
    "ApprovalEngine",
    "ApprovalOutcome",
    "ApprovalStatus",
    "AuditEvent",
    "AuditNotAllowed",
    "BreakGlass",
    "ChangeService",
    "ChannelDirectory",
    "ChannelInfo",
    "ChannelNotAllowed",
    "Clock",
    "DuplicateRequest",
    "Edge",
    "EmergencyRefused",
    "Escalation",
    "EventKind",
    "Failure",
    "GroupResolver",
    "IllegalTransition",
    "InputTooLong",
    "NoChannelDirectory",
    "NotAllowed",
    "NotIncidentChannel",
    "NotPending",
    "Notifier",
    "Policy",
    "PolicyError",
    "Reason",
    "Reminders",
    "Request",
    "RequestNotFound",
    "RequestRefused",
    "RequestState",
    "RevertRefused",
    "ReviewNotOpen",
    "ReviewState",
    "SilentNotifier",
    "StaticChannels",
    "StaticGroups",
    "Verdict",
    "WorkflowError",
    "describe_result",
    "export_audit",
    "load_policy",
    "utc_now",
]
