from __future__ import annotations

from pathlib import Path

import pytest

from bot.ops.changes import Action
from bot.workflow import Policy, PolicyError, StaticGroups, load_policy

from .conftest import GROUPS, POLICY


def test_the_documented_example_parses_with_cluster_overrides_raising_the_count() -> None:
    policy = Policy.from_yaml(POLICY)
    assert policy.required_approvals(Action.POOL_RESIZE, "staging-pg") == 1
    assert policy.required_approvals(Action.POOL_RESIZE, "prod-pg") == 2
    assert policy.required_approvals(Action.DB_DROP, "staging-pg") == 2
    assert policy.required_approvals(Action.DB_DROP, "prod-pg") == 2
    assert policy.notify_channels == ["C056INCIDENTS"]
    assert policy.request_ttl_minutes == 60


async def test_approvers_are_users_listed_or_members_of_listed_groups() -> None:
    policy = Policy.from_yaml(POLICY)
    assert await policy.is_approver("U012LEAD", Action.POOL_RESIZE, "prod-pg", GROUPS)
    assert await policy.is_approver("U0LEADA", Action.POOL_RESIZE, "prod-pg", GROUPS)
    assert not await policy.is_approver("U0NOBODY", Action.POOL_RESIZE, "prod-pg", GROUPS)


async def test_an_action_with_its_own_approvers_ignores_the_top_level_list() -> None:
    policy = Policy.from_yaml(POLICY)
    assert not await policy.is_approver("U012LEAD", Action.DB_DROP, "staging-pg", GROUPS)
    assert await policy.is_approver("U0LEADB", Action.DB_DROP, "staging-pg", GROUPS)


async def test_a_cluster_rule_with_approvers_also_restricts_who_approves_there() -> None:
    policy = Policy.from_yaml(POLICY.replace("{approvals: 2}\n", "{approvals: 2, approvers: [U0LEADA]}\n"))
    assert await policy.is_approver("U0LEADA", Action.POOL_CREATE, "prod-pg", GROUPS)
    assert not await policy.is_approver("U012LEAD", Action.POOL_CREATE, "prod-pg", GROUPS)
    assert await policy.is_approver("U012LEAD", Action.POOL_CREATE, "staging-pg", GROUPS)


async def test_the_default_policy_lets_anyone_approve_once_and_twice_for_a_drop() -> None:
    policy = load_policy(None)
    assert await policy.is_approver("U0ANYONE", Action.POOL_CREATE, "prod-pg", StaticGroups())
    assert policy.required_approvals(Action.POOL_CREATE, "prod-pg") == 1
    assert policy.required_approvals(Action.DB_DROP, "prod-pg") == 2
    assert policy.protected_databases == ["defaultdb"]
    assert policy.request_ttl_minutes == 60
    assert policy.allow_self_approval is False
    assert policy.channel_allowed("C0ANYWHERE")
    assert policy.cluster_tag is None


def test_channels_restrict_where_commands_are_accepted() -> None:
    policy = Policy.from_yaml(POLICY)
    assert policy.channel_allowed("C0OPS")
    assert not policy.channel_allowed("C0RANDOM")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("approvers: [U012LEAD", "aprovers: [U012LEAD"), "`approvers` is missing; unknown key `aprovers`"),
        (
            ("U012LEAD,", "u012lead,"),
            "`approvers.0` 'u012lead' is not a Slack user ID (U…, W…), user group ID (S…) or '*'",
        ),
        (
            ("[C056INCIDENTS]", "[incidents]"),
            "`notify_channels.0` 'incidents' is not a Slack channel ID (C… or G…)",
        ),
        (("  db.drop:     {approvals: 2, approvers: [S034DBLEADS]}\n", ""), "`actions.db.drop` is missing"),
        (
            ("db.create:   {approvals: 1}", "db.create:   {approvals: 1, when: never}"),
            "unknown key `actions.db.create.when`",
        ),
        (
            ("approvers: [U012LEAD, S034DBLEADS]", "approvers: []"),
            "`approvers` is empty, so nobody could approve; list user or group IDs, or '*' for anyone",
        ),
        (
            ("request_ttl_minutes: 60", "request_ttl_minutes: 0"),
            "`request_ttl_minutes`: Input should be greater than or equal to 1",
        ),
    ],
)
def test_a_bad_policy_is_one_error_naming_what_is_wrong(edit: tuple[str, str], message: str) -> None:
    text = POLICY.replace(*edit)
    assert text != POLICY
    with pytest.raises(PolicyError) as caught:
        Policy.from_yaml(text, source="The policy file policy.yaml")
    assert str(caught.value) == f"The policy file policy.yaml is invalid: {message}."


def test_malformed_yaml_names_the_line() -> None:
    with pytest.raises(PolicyError) as caught:
        Policy.from_yaml("approvers: [U1\nchannels: ]", source="The policy file p.yaml")
    assert str(caught.value) == "The policy file p.yaml is not valid YAML (line 2)."


def test_a_policy_that_is_not_a_mapping_is_refused() -> None:
    with pytest.raises(PolicyError) as caught:
        Policy.from_yaml("- U012LEAD", source="The policy file p.yaml")
    assert str(caught.value) == (
        "The policy file p.yaml must be a YAML mapping of settings, such as `approvers: [U012LEAD]`."
    )


def test_load_policy_reads_the_file_and_names_a_missing_one(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY)
    assert load_policy(path).approvers == ["U012LEAD", "S034DBLEADS"]
    with pytest.raises(PolicyError) as caught:
        load_policy(tmp_path / "nope.yaml")
    assert (
        str(caught.value)
        == f"The policy file {tmp_path / 'nope.yaml'} cannot be read (No such file or directory)."
    )


def test_audit_readers_default_to_the_approvers_and_are_validated_like_them() -> None:
    assert Policy.from_yaml(POLICY).audit_reader_list() == ["U012LEAD", "S034DBLEADS"]
    assert Policy.default().audit_reader_list() == ["*"]
    assert Policy.from_yaml(POLICY + "audit_readers: [U0AUDITOR]\n").audit_reader_list() == ["U0AUDITOR"]
    with pytest.raises(PolicyError) as caught:
        Policy.from_yaml(POLICY + "audit_readers: [auditor]\nchannels: [general]\n")
    assert "`audit_readers.0` 'auditor' is not a Slack user ID" in str(caught.value)
    assert "`channels.0` 'general' is not a Slack channel ID" in str(caught.value)


async def test_a_revert_follows_the_inverse_actions_rule_unless_actions_revert_sets_its_own() -> None:
    policy = Policy.from_yaml(POLICY)
    assert policy.revert_window_minutes == 60
    assert policy.required_approvals(Action.POOL_RESIZE, "staging-pg", revert=True) == 1
    assert await policy.is_approver("U012LEAD", Action.POOL_RESIZE, "staging-pg", GROUPS, revert=True)

    own = Policy.from_yaml(
        _with_revert("{approvals: 2, approvers: [S034DBLEADS]}") + "revert_window_minutes: 0\n"
    )
    assert own.revert_window_minutes == 0
    assert own.required_approvals(Action.POOL_RESIZE, "staging-pg", revert=True) == 2
    assert own.required_approvals(Action.POOL_RESIZE, "staging-pg") == 1
    assert own.required_approvals(Action.POOL_RESIZE, "prod-pg", revert=True) == 2  # the stricter wins
    assert await own.is_approver("U0LEADB", Action.POOL_RESIZE, "staging-pg", GROUPS, revert=True)
    assert not await own.is_approver("U012LEAD", Action.POOL_RESIZE, "staging-pg", GROUPS, revert=True)
    assert await own.is_approver("U012LEAD", Action.POOL_RESIZE, "staging-pg", GROUPS)


def _with_revert(rule: str) -> str:
    drop = "  db.drop:     {approvals: 2, approvers: [S034DBLEADS]}\n"
    return POLICY.replace(drop, f"{drop}  revert: {rule}\n")


def test_actions_revert_is_validated_like_any_approvers_list() -> None:
    with pytest.raises(PolicyError, match=r"`actions.revert.approvers` is empty"):
        Policy.from_yaml(_with_revert("{approvers: []}"))
    with pytest.raises(PolicyError, match=r"unknown key `actions.revert.window`"):
        Policy.from_yaml(_with_revert("{window: 5}"))


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("revert_window_minutes: -1\n", "`revert_window_minutes`"),
        ("revert_window_minutes: 20000\n", "`revert_window_minutes`"),
    ],
)
def test_a_bad_revert_window_is_refused_by_name(extra: str, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        Policy.from_yaml(POLICY + extra)
