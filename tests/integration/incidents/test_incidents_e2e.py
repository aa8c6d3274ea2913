"""Issue 9 end to end over HTTP (uvicorn bot, signed Slack requests, stand-in Slack, sandbox DigitalOcean):
break-glass (countdown, stop, cap, review), reminders and escalation on a controllable clock, `/dbops`
views, the App Home tab and the drop preview. Timers fire through `engine.fire_due()`, what the runtime's
tick calls; tests move the clock instead of sleeping.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest

from bot.slack import ids
from bot.store import Request, RequestState, ReviewState
from tests.integration.slack.harness import POLICY, Harness, running_bot
from tests.support.team import ALICE, CHANNEL, INCIDENTS, LEAD1, LEAD2, LEAD3, MALLORY

ONCALL = "U0ONCALL"
INC = "C0INC42"
MANAGER = "U0MANAGER"
INCIDENT_POLICY = (
    POLICY
    + f"""
revert_window_minutes: 0  # these tests count the review timers alone
break_glass:
  channels: ["inc-*"]
  on_call: [{ONCALL}]
  countdown_seconds: 60
  daily_cap: 1
  review_reminder_minutes: 60
escalation:
  after_minutes: 45
  approvers: [{MANAGER}]
"""
)


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Harness]:
    async with running_bot(tmp_path, policy_yaml=INCIDENT_POLICY) as harness:
        harness.slack.add_channel(INC, "inc-db-latency")  # what conversations.info says of it
        yield harness


async def _emergency(bot: Harness, text: str) -> Request:
    before = len(bot.cards(INC))
    await bot.command("/pool", text, user=ONCALL, channel=INC, channel_name="inc-db-latency")
    return await bot.request_of(await bot.wait_card(before + 1, channel=INC))


def _card(bot: Harness, request: Request) -> str:
    return json.dumps(bot.slack.message(INC, request.card_ts or "").blocks)


def _buttons(bot: Harness, request: Request, channel: str = INC) -> list[str]:
    blocks = bot.slack.message(channel, request.card_ts or "").blocks
    return [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


async def test_an_emergency_resize_runs_after_the_countdown_and_opens_a_review(bot: Harness) -> None:
    request = await _emergency(bot, 'resize staging-pg staging-web size=15 emergency="connection storm"')
    assert request.is_emergency
    assert _buttons(bot, request) == [ids.STOP]
    assert (
        ":rotating_light: *Emergency change* by <@U0ONCALL>\\n*Reason given by <@U0ONCALL>:*\\n"
        "> connection storm"
    ) in _card(bot, request)
    await bot.slack.wait_for(
        lambda s: any("Emergency change" in m.text for m in s.top_level(INCIDENTS)), what="the announcement"
    )
    assert [c for c in bot.sandbox.calls if c.method == "PUT"] == []

    bot.clock.advance(timedelta(seconds=59))
    assert await bot.engine.fire_due() == []
    bot.clock.advance(timedelta(seconds=1))
    assert await bot.engine.fire_due() == [f"ran {request.id}", f"review of {request.id} opened"]
    lines = await bot.wait_thread(request, "acknowledge")
    assert lines[0] == ":rotating_light: Nobody stopped the emergency change; it runs now, without approval."
    assert any("The change succeeded" in line for line in lines)
    assert len([c for c in bot.sandbox.calls if c.method == "PUT"]) == 1
    assert bot.sandbox.find_cluster("staging-pg").pools["staging-web"].size == 15
    review = bot.slack.thread(INC, request.card_ts or "")[-1]
    assert review.text.startswith(f":mag: <@{LEAD1}> <@{LEAD2}> <!subteam^S0DBLEADS>: the emergency change")
    assert [e["action_id"] for b in review.blocks if b["type"] == "actions" for e in b["elements"]] == [
        ids.ACK_REVIEW
    ]
    await bot.slack.wait_for(
        lambda s: any("must acknowledge its review" in m.text for m in s.top_level(INCIDENTS)),
        what="the review announcement",
    )

    # Not an approver, then the one who made it, then an approver: only the approver closes it.
    await bot.click(ids.ACK_REVIEW, request, user=MALLORY)
    await bot.wait_ephemeral(MALLORY, "Only approvers of pool.resize on staging-pg can acknowledge")
    await bot.click(ids.ACK_REVIEW, request, user=ONCALL)
    await bot.wait_ephemeral(ONCALL, "so another approver has to review it")
    bot.clock.advance(timedelta(minutes=60))
    assert await bot.engine.fire_due() == [f"review of {request.id} reminded"]
    await bot.wait_thread(request, "the review of the emergency change")
    await bot.click(ids.ACK_REVIEW, request, user=LEAD1)
    await bot.wait_thread(request, "acknowledged the review")
    reviewed = await bot.engine.get(request.id)
    assert (reviewed.review_state, reviewed.reviewed_by) == (ReviewState.ACKNOWLEDGED, LEAD1)
    await bot.drain()
    assert ":mag: *Review:* acknowledged by <@U0LEAD1>." in _card(bot, request)
    bot.clock.advance(timedelta(hours=3))
    assert await bot.engine.fire_due() == []


async def test_a_stop_during_the_countdown_prevents_the_change(bot: Harness) -> None:
    request = await _emergency(bot, 'resize staging-pg staging-web size=16 emergency="storm"')
    await bot.click(ids.STOP, request, user=MALLORY)  # anyone in the channel
    await bot.wait_thread(request, "stopped the emergency change")
    bot.clock.advance(timedelta(minutes=5))
    assert await bot.engine.fire_due() == []
    await bot.drain()
    stopped = await bot.engine.get(request.id)
    assert (stopped.state, stopped.cancelled_by) == (RequestState.CANCELLED, MALLORY)
    assert [c for c in bot.sandbox.calls if c.method == "PUT"] == []
    assert "*Stopped* by <@U0MALLORY> before it ran" in _card(bot, request)
    assert _buttons(bot, request) == []


async def test_the_daily_cap_refuses_the_next_emergency(bot: Harness) -> None:
    await _emergency(bot, 'resize staging-pg staging-web size=12 emergency="storm"')
    await bot.command(
        "/pool",
        'create staging-pg hot db=app size=2 mode=transaction emergency="still stormy"',
        user=ONCALL,
        channel=INC,
        channel_name="inc-db-latency",
    )
    answers = await bot.wait_webhook(1)
    assert answers[-1]["text"] == (
        ":warning: You have made 1 emergency change in the last 24 hours, the most the policy allows; "
        "ask for approval."
    )
    assert len(bot.cards(INC)) == 1


async def test_emergencies_outside_incident_channels_or_by_others_are_refused(bot: Harness) -> None:
    await bot.command("/pool", 'resize staging-pg staging-web size=12 emergency="x"', user=ONCALL)
    await bot.command(
        "/pool",
        'resize staging-pg staging-web size=12 emergency="x"',
        user=ALICE,
        channel=INC,
        channel_name="inc-1",
    )
    answers = [a["text"] for a in await bot.wait_webhook(2)]
    assert ":warning: Emergency changes are accepted only in incident channels (#inc-*)." in answers
    assert ":warning: Only the on-call engineers can make emergency changes; ask for approval." in answers


async def test_a_reminder_at_half_life_and_an_escalation_fire_at_their_times(bot: Harness) -> None:
    await bot.command("/pool", "resize staging-pg staging-web size=13")
    request = await bot.request_of(await bot.wait_card())
    bot.clock.advance(timedelta(minutes=29, seconds=59))
    assert await bot.engine.fire_due() == []
    bot.clock.advance(timedelta(seconds=1))
    assert await bot.engine.fire_due() == [f"reminded {request.id}"]
    lines = await bot.wait_thread(request, ":bell:")
    assert lines[-1].startswith(
        f":bell: <@{LEAD1}> <@{LEAD2}> <!subteam^S0DBLEADS>: {request.id} is still waiting for 1 approval;"
    )
    await bot.click(ids.APPROVE, request, user=MANAGER)  # not yet escalated
    await bot.wait_ephemeral(MANAGER, "You are not an approver")
    bot.clock.advance(timedelta(minutes=15))
    assert await bot.engine.fire_due() == [f"escalated {request.id}"]
    lines = await bot.wait_thread(request, ":mega:")
    assert lines[-1] == (
        f":mega: Escalated to <@{MANAGER}>: nobody has approved {request.id} yet. "
        "You may approve or reject it now."
    )
    assert await bot.engine.fire_due() == []
    await bot.click(ids.APPROVE, request, user=MANAGER)
    await bot.wait_thread(request, "The change succeeded")


async def test_on_expiry_the_card_says_so_and_the_requester_is_told(bot: Harness) -> None:
    await bot.command("/pool", "resize staging-pg staging-web size=11")
    request = await bot.request_of(await bot.wait_card())
    bot.clock.advance(timedelta(minutes=60))
    assert f"expired {request.id}" in await bot.engine.fire_due()
    await bot.wait_ephemeral(
        ALICE, f"Your request {request.id} (resize pool staging-web on staging-pg) expired"
    )
    await bot.drain()
    assert "*Expired* before it was approved" in json.dumps(
        bot.slack.message(CHANNEL, request.card_ts or "").blocks
    )


async def test_dbops_audit_shows_every_transition_of_a_request_in_order(bot: Harness) -> None:
    await bot.command("/pool", "resize staging-pg staging-web size=14")
    request = await bot.request_of(await bot.wait_card())
    await bot.click(ids.APPROVE, request, user=LEAD1)
    await bot.wait_thread(request, "The change succeeded")
    await bot.command("/dbops", f"audit {request.id.lower()}", user=LEAD2)
    answer = (await bot.wait_webhook(1))[-1]
    text = "\n".join(b["text"]["text"] for b in answer["blocks"])
    kinds = [line.split("*")[1] for line in text.splitlines()[1:]]
    assert kinds == ["submitted", "approval", "approved", "executing", "executed"]
    assert "(pending → approved)" in text
    assert "(approved → executing)" in text
    assert "(executing → succeeded)" in text
    assert answer["response_type"] == "ephemeral"

    await bot.command("/dbops", "audit staging-pg", user=LEAD2)
    cluster_answer = (await bot.wait_webhook(2))[-1]
    assert cluster_answer["text"] == "The last 5 event(s) on staging-pg, oldest first."
    await bot.command("/dbops", "audit R-ZZZZZZ", user=LEAD2)
    assert (await bot.wait_webhook(3))[-1]["text"] == ":warning: There is no request R-ZZZZZZ."


async def test_dbops_audit_names_a_cluster_as_pool_and_db_do(bot: Harness) -> None:
    await bot.command("/pool", "resize STAGING-PG staging-web size=14")
    request = await bot.request_of(await bot.wait_card())
    await bot.click(ids.APPROVE, request, user=LEAD1)
    await bot.wait_thread(request, "The change succeeded")
    for count, ref in enumerate(("STAGING-PG", "2f1b3c4d"), start=1):
        await bot.command("/dbops", f"audit {ref}", user=LEAD2)
        answer = (await bot.wait_webhook(count))[-1]
        assert answer["text"] == "The last 5 event(s) on staging-pg, oldest first."
        assert answer["blocks"][0]["text"]["text"].startswith("*Recent changes on staging-pg*\n")


async def test_dbops_requests_lists_what_i_can_approve_and_my_own(bot: Harness) -> None:
    await bot.command("/pool", "resize staging-pg staging-web size=12")
    request = await bot.request_of(await bot.wait_card())
    await bot.command("/dbops", "requests", user=LEAD3)
    lead = (await bot.wait_webhook(1))[-1]
    assert lead["text"] == "1 request(s) wait for your approval; you have 0 in progress."
    assert f"*{request.id}*: resize pool staging-web on staging-pg" in json.dumps(lead["blocks"])
    await bot.command("/dbops", "requests", user=ALICE)
    mine = (await bot.wait_webhook(2))[-1]
    assert mine["text"] == "0 request(s) wait for your approval; you have 1 in progress."
    await bot.command("/dbops", "nonsense", user=ALICE)
    await bot.drain()


async def test_the_app_home_lists_pending_requests_with_working_buttons(bot: Harness) -> None:
    await bot.command("/pool", "resize staging-pg staging-web size=17")
    request = await bot.request_of(await bot.wait_card())
    event = {
        "token": "deprecated-verification-token",
        "team_id": "T0DBOPS",
        "api_app_id": "A0DBOPS",
        "type": "event_callback",
        "event_id": "Ev0HOME1",
        "event_time": 1700000000,
        "event": {"type": "app_home_opened", "user": LEAD2, "channel": "D0LEAD2", "tab": "home"},
    }
    await bot.post(json.dumps(event))
    published = await bot.slack.wait_for_calls("views.publish")
    view = published[-1].args["view"]
    assert published[-1].args["user_id"] == LEAD2
    assert f"*{request.id}*: resize pool staging-web on staging-pg" in json.dumps(view)
    actions = [b for b in view["blocks"] if b["type"] == "actions"]
    assert [e["action_id"] for e in actions[0]["elements"]] == [ids.APPROVE, ids.REJECT]

    # a click on the Home tab: a view container, no channel
    click = {
        "type": "block_actions",
        "user": {"id": LEAD2, "username": "u0lead2", "name": "u0lead2", "team_id": "T0DBOPS"},
        "api_app_id": "A0DBOPS",
        "token": "deprecated-verification-token",
        "trigger_id": "1.2.home",
        "team": {"id": "T0DBOPS", "domain": "acme"},
        "container": {"type": "view", "view_id": "V0HOME"},
        "view": {"id": "V0HOME", "type": "home", "blocks": [], "state": {"values": {}}},
        "actions": [
            {
                "type": "button",
                "action_id": ids.APPROVE,
                "block_id": f"{ids.HOME_ACTIONS_PREFIX}{request.id}",
                "value": request.id,
                "action_ts": "1700000000.1",
            }
        ],
    }
    await bot.post(urlencode({"payload": json.dumps(click)}))
    await bot.wait_thread(request, "The change succeeded")
    await bot.slack.wait_for_calls("views.publish", 2)
    await bot.drain()
    assert "Nothing is waiting for your approval." in json.dumps(bot.slack.calls_to("views.publish")[-1].args)


async def test_a_drop_card_shows_the_latest_backup_and_warns_when_it_is_old(bot: Harness) -> None:
    await bot.command("/db", "drop staging-pg app")
    request = await bot.request_of(await bot.wait_card())
    card = json.dumps(bot.slack.message(CHANNEL, request.card_ts or "").blocks)
    assert "Latest backup of staging-pg: <!date^" in card
    assert "Cluster staging-pg has no backup from the last 24 hours (the latest is from" in card
