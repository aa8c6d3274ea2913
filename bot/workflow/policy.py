"""Who may ask, who may approve, and how many approvals each change needs: the YAML policy.

The file (path in `CHATOPS_POLICY`) is validated once, at start-up: an unknown key, a malformed Slack ID
or a missing action is a `PolicyError` naming it. Without a file, `Policy.default()` applies (documented
in docs/WORKFLOW.md). User groups (`S…`) are expanded through a `GroupResolver`.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Protocol

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from bot.ops.changes import Action

from .approver_ids import ANYONE, GROUP_ID, Approvers
from .revert_policy import RevertRule

__all__ = [
    "ANYONE",
    "BreakGlass",
    "Escalation",
    "GroupResolver",
    "Policy",
    "PolicyError",
    "Reminders",
    "StaticGroups",
    "load_policy",
]

_CHANNEL = re.compile(r"^[CG][A-Z0-9]+$")
_CHANNEL_PATTERN = re.compile(r"^[a-z0-9_*?\[\]-]{1,80}$")


class PolicyError(Exception):
    """The policy cannot be used; `str()` names the file and every problem in it."""


class GroupResolver(Protocol):
    """Expands a Slack user group (`S…`) into its members (the Slack layer uses `usergroups.users.list`)."""

    async def members(self, group_id: str) -> frozenset[str]: ...


class StaticGroups:
    """A fixed group → members table (for tests, the demo, or a workspace without user groups)."""

    def __init__(self, groups: Mapping[str, frozenset[str] | set[str] | list[str]] | None = None) -> None:
        self._groups = {group: frozenset(members) for group, members in (groups or {}).items()}

    async def members(self, group_id: str) -> frozenset[str]:
        return self._groups.get(group_id, frozenset())


def _channel_id(value: str) -> str:
    if _CHANNEL.match(value):
        return value
    raise ValueError(f"{value!r} is not a Slack channel ID (C… or G…)")


ChannelId = Annotated[str, AfterValidator(_channel_id)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False)


class ActionRule(_Strict):
    approvals: int = Field(ge=1, le=10)
    approvers: Approvers | None = None


class ClusterRule(_Strict):
    approvals: int | None = Field(default=None, ge=1, le=10)
    approvers: Approvers | None = None


class ActionRules(_Strict):
    pool_create: ActionRule = Field(alias="pool.create")
    pool_resize: ActionRule = Field(alias="pool.resize")
    pool_delete: ActionRule = Field(alias="pool.delete")
    db_create: ActionRule = Field(alias="db.create")
    db_drop: ActionRule = Field(alias="db.drop")
    revert: RevertRule | None = None  # see `revert_policy`

    def for_action(self, action: Action) -> ActionRule:
        rule: ActionRule = getattr(self, action.value.replace(".", "_"))
        return rule


def _incident_channel(value: str) -> str:
    if _CHANNEL.match(value) or _CHANNEL_PATTERN.match(value):
        return value
    raise ValueError(
        f"{value!r} is neither a Slack channel ID (C… or G…) nor a channel-name pattern such as 'inc-*'"
    )


IncidentChannel = Annotated[str, AfterValidator(_incident_channel)]


class BreakGlass(_Strict):
    """Emergency changes in incident channels (off unless the policy has a `break_glass` section)."""

    channels: list[IncidentChannel] = Field(min_length=1)
    on_call: Approvers
    actions: list[Action] = [Action.POOL_CREATE, Action.POOL_RESIZE]
    countdown_seconds: int = Field(default=60, ge=10, le=3600)
    daily_cap: int = Field(default=3, ge=1, le=100)
    review_reminder_minutes: int = Field(default=240, ge=1, le=7 * 24 * 60)

    def is_incident_channel_id(self, channel: str) -> bool:
        """Listed by its ID."""
        return channel in self.channels

    def has_name_patterns(self) -> bool:
        return any(not _CHANNEL.match(entry) for entry in self.channels)

    def matches_name(self, name: str) -> bool:
        """A confirmed channel name (from `conversations.info`, never a payload) against the patterns."""
        name = name.lower().lstrip("#")
        return bool(name) and any(
            not _CHANNEL.match(entry) and fnmatch.fnmatchcase(name, entry) for entry in self.channels
        )


class Reminders(_Strict):
    """A pending request reminds its approvers in the thread once, at `at_fraction` of its lifetime."""

    enabled: bool = True
    at_fraction: float = Field(default=0.5, gt=0, lt=1)


class Escalation(_Strict):
    """After `after_minutes` pending, a request is escalated to `approvers`, who may then approve it too."""

    after_minutes: int = Field(ge=1, le=7 * 24 * 60)
    approvers: Approvers


class Policy(_Strict):
    """The validated policy. Approval needs are snapshotted on each request when it is submitted."""

    approvers: Approvers
    notify_channels: list[ChannelId] = []
    channels: list[ChannelId] = []
    request_ttl_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)
    revert_window_minutes: int = Field(default=60, ge=0, le=7 * 24 * 60)  # 0: no Revert
    allow_self_approval: bool = False
    protected_databases: list[str] = ["defaultdb"]
    cluster_tag: str | None = None
    actions: ActionRules
    clusters: dict[str, ClusterRule] = {}
    break_glass: BreakGlass | None = None
    reminders: Reminders = Reminders()
    escalation: Escalation | None = None
    audit_readers: Approvers | None = None

    @classmethod
    def default(cls) -> Policy:
        """The policy without a file: anyone but the requester approves; one approval, two to drop a
        database; `defaultdb` is protected; requests expire after an hour; any channel."""
        return cls.model_validate(
            {
                "approvers": [ANYONE],
                "actions": {
                    "pool.create": {"approvals": 1},
                    "pool.resize": {"approvals": 1},
                    "pool.delete": {"approvals": 1},
                    "db.create": {"approvals": 1},
                    "db.drop": {"approvals": 2},
                },
            }
        )

    @classmethod
    def from_yaml(cls, text: str, *, source: str = "the policy") -> Policy:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as error:
            where = getattr(error, "problem_mark", None)
            line = f" (line {where.line + 1})" if where is not None else ""
            raise PolicyError(f"{source} is not valid YAML{line}.") from None
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise PolicyError(
                f"{source} must be a YAML mapping of settings, such as `approvers: [U012LEAD]`."
            )
        try:
            return cls.model_validate(data)
        except ValidationError as error:
            raise PolicyError(
                f"{source} is invalid: " + "; ".join(_describe(e) for e in error.errors()) + "."
            ) from None

    # --- decisions ------------------------------------------------------------------------------------

    def cluster_rules(self, cluster_name: str) -> list[ClusterRule]:
        """Every `clusters` entry whose pattern matches the cluster's name (case-sensitive fnmatch)."""
        return [rule for pattern, rule in self.clusters.items() if fnmatch.fnmatchcase(cluster_name, pattern)]

    def required_approvals(self, action: Action, cluster_name: str, *, revert: bool = False) -> int:
        """The action's count (a revert's: `actions.revert.approvals` when set), raised by any matching
        cluster rule: the stricter number wins."""
        own = self.actions.revert.approvals if revert and self.actions.revert else None
        counts = [own or self.actions.for_action(action).approvals]
        counts += [rule.approvals for rule in self.cluster_rules(cluster_name) if rule.approvals is not None]
        return max(counts)

    def audit_reader_list(self) -> list[str]:
        """Who may read audit histories (`/dbops audit`): `audit_readers`, or the top-level `approvers`."""
        return self.audit_readers or self.approvers

    def channel_allowed(self, channel: str) -> bool:
        return not self.channels or channel in self.channels

    def escalation_widens(self, action: Action) -> bool:
        """Whether escalation adds approvers for `action`: only when the action has no `approvers` of its
        own, so that its approvers are the top-level list, which escalation extends."""
        return self.escalation is not None and self.actions.for_action(action).approvers is None

    def approver_lists(
        self, action: Action, cluster_name: str, *, escalated: bool = False, revert: bool = False
    ) -> list[list[str]]:
        """The lists someone must be in, every one of them, to approve or reject `action` on
        `cluster_name`: the action's `approvers` (the top-level list if it has none) and the `approvers` of
        every matching cluster rule that has some. Once a request is `escalated`, `escalation.approvers`
        join the top-level list only (see `escalation_widens`); the other lists still apply."""
        rule = self.actions.for_action(action).approvers
        if revert and self.actions.revert and self.actions.revert.approvers:  # a revert's own list
            rule = self.actions.revert.approvers
        first = rule or self.approvers
        if escalated and self.escalation is not None and rule is None:
            first = [*self.approvers, *self.escalation.approvers]
        return [first, *self.cluster_approver_lists(cluster_name)]

    def cluster_approver_lists(self, cluster_name: str) -> list[list[str]]:
        """The `approvers` of every matching cluster rule that has some."""
        return [rule.approvers for rule in self.cluster_rules(cluster_name) if rule.approvers is not None]

    async def is_listed(self, user: str, allowed: list[str], groups: GroupResolver) -> bool:
        """Whether `user` is in `allowed` (user IDs, groups expanded, or `*`)."""
        return await _listed(user, allowed, groups)

    async def is_approver(
        self,
        user: str,
        action: Action,
        cluster_name: str,
        groups: GroupResolver,
        *,
        escalated: bool = False,
        revert: bool = False,
    ) -> bool:
        """In every list of `approver_lists` (groups expanded). Self-approval is a separate rule
        (`allow_self_approval`)."""
        for allowed in self.approver_lists(action, cluster_name, escalated=escalated, revert=revert):
            if not await _listed(user, allowed, groups):
                return False
        return True


async def _listed(user: str, allowed: list[str], groups: GroupResolver) -> bool:
    if ANYONE in allowed or user in allowed:
        return True
    for entry in allowed:
        if GROUP_ID.match(entry) and user in await groups.members(entry):
            return True
    return False


def _describe(error: Any) -> str:
    where = ".".join(str(part) for part in error["loc"]) or "the file"
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"unknown key `{where}`"
    if kind == "missing":
        return f"`{where}` is missing"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"`{where}` {message}" if kind == "value_error" else f"`{where}`: {message}"


def load_policy(path: Path | None) -> Policy:
    """The policy at `path` (the `CHATOPS_POLICY` setting), or the default one when it is None."""
    if path is None:
        return Policy.default()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise PolicyError(f"The policy file {path} cannot be read ({error.strerror}).") from None
    return Policy.from_yaml(text, source=f"The policy file {path}")
