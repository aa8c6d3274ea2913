"""User groups through usergroups.users.list: cached, and empty (with a clear log) on free workspaces."""

from __future__ import annotations

import logging

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.demo.slack_standin import SlackStandIn
from bot.slack.adapters.usergroups import SlackGroups


async def test_members_are_cached_until_the_ttl_passes() -> None:
    now = [0.0]
    async with SlackStandIn(usergroups={"S0LEADS": ["U1", "U2"]}) as slack:
        groups = SlackGroups(
            AsyncWebClient(token="xoxb-t", base_url=slack.api_url), ttl=300, clock=lambda: now[0]
        )
        assert await groups.members("S0LEADS") == frozenset({"U1", "U2"})
        slack.usergroups["S0LEADS"] = ["U3"]
        assert await groups.members("S0LEADS") == frozenset({"U1", "U2"})
        now[0] = 301
        assert await groups.members("S0LEADS") == frozenset({"U3"})
        assert len(slack.calls_to("usergroups.users.list")) == 2


async def test_free_plan_groups_are_empty_and_said_so(caplog: pytest.LogCaptureFixture) -> None:
    async with SlackStandIn(usergroups={"S0LEADS": ["U1"]}) as slack:
        slack.free_plan = True
        groups = SlackGroups(AsyncWebClient(token="xoxb-t", base_url=slack.api_url))
        with caplog.at_level(logging.ERROR):
            assert await groups.members("S0LEADS") == frozenset()
        assert groups.free_plan
        assert "plan_upgrade_required" in caplog.text
        assert "name approvers by user ID" in caplog.text


async def test_a_passing_failure_keeps_what_was_known() -> None:
    now = [0.0]
    async with SlackStandIn(usergroups={"S0LEADS": ["U1"]}) as slack:
        groups = SlackGroups(
            AsyncWebClient(token="xoxb-t", base_url=slack.api_url), ttl=1, clock=lambda: now[0]
        )
        assert await groups.members("S0LEADS") == frozenset({"U1"})
        now[0] = 5
        slack.fail("usergroups.users.list", "internal_error")
        assert await groups.members("S0LEADS") == frozenset({"U1"})
