"""Break-glass trusts no payload channel name, obeys `channels`, and the countdown asks the policy again
when it ends (issue 13, item 4)."""

from __future__ import annotations

import pytest

from bot.ops.changes import PoolResize
from bot.store import RequestState, Store
from bot.workflow import (
    ApprovalEngine,
    ChannelNotAllowed,
    EmergencyRefused,
    Policy,
    StaticChannels,
)

from .conftest import GROUPS
from .fakes import FakeClock, FakeService, RecordingNotifier

BASE = """
approvers: [U012LEAD, S034DBLEADS]
actions:
  pool.create: {approvals: 1}
  pool.resize: {approvals: 1}
  pool.delete: {approvals: 1}
  db.create:   {approvals: 1}
  db.drop:     {approvals: 2}
"""
BREAK_GLASS = """
break_glass:
  channels: [C0INC, "inc-*"]
  on_call: [U0ONCALL]
  countdown_seconds: 60
"""
RESIZE = PoolResize(cluster="staging-pg", pool="staging-web", size=12)


@pytest.fixture
def channels() -> StaticChannels:
    directory = StaticChannels()
    directory.add("C0PUBLIC", "inc-db-latency")
    directory.add("G0MINE", "inc-mine", private=True)
    return directory


def _engine(
    store: Store,
    service: FakeService,
    clock: FakeClock,
    policy: str,
    channels: StaticChannels,
    notifier: RecordingNotifier | None = None,
) -> ApprovalEngine:
    parsed = Policy.from_yaml(policy)
    return ApprovalEngine(store, service, parsed, GROUPS, clock=clock, channels=channels, notifier=notifier)


async def test_only_a_public_channel_whose_name_slack_confirms_matches_a_pattern(
    store: Store, service: FakeService, clock: FakeClock, channels: StaticChannels
) -> None:
    engine = _engine(store, service, clock, BASE + BREAK_GLASS, channels)
    assert (await engine.submit(RESIZE, "U0ONCALL", "C0PUBLIC", emergency="storm")).is_emergency
    other = PoolResize(cluster="staging-pg", pool="other", size=12)
    for channel in ("G0MINE", "C0UNKNOWN"):  # private `inc-mine`; a channel Slack does not show the bot
        with pytest.raises(EmergencyRefused, match="only in incident channels"):
            await engine.submit(other, "U0ONCALL", channel, emergency="storm")
    assert (await engine.submit(other, "U0ONCALL", "C0INC", emergency="storm")).is_emergency  # by ID


async def test_the_policy_channels_bind_emergencies_too(
    store: Store, service: FakeService, clock: FakeClock, channels: StaticChannels
) -> None:
    engine = _engine(store, service, clock, BASE + "channels: [C0OPS]\n" + BREAK_GLASS, channels)
    with pytest.raises(ChannelNotAllowed):
        await engine.submit(RESIZE, "U0ONCALL", "C0INC", emergency="storm")
    with pytest.raises(ChannelNotAllowed):
        await engine.submit(RESIZE, "U0ONCALL", "C0PUBLIC", emergency="storm")


@pytest.mark.parametrize(
    "restarted_with",
    [
        BASE,  # break_glass removed
        BASE + BREAK_GLASS.replace("[U0ONCALL]", "[U0SOMEONE]"),  # no longer on call
        BASE + BREAK_GLASS.replace('[C0INC, "inc-*"]', "[C0OTHER]"),  # no longer an incident channel
        BASE + "channels: [C0OPS]\n" + BREAK_GLASS,  # `channels` no longer has it
    ],
)
async def test_after_a_restart_with_a_stricter_policy_the_countdown_does_not_run_it(
    store: Store, service: FakeService, clock: FakeClock, channels: StaticChannels, restarted_with: str
) -> None:
    before = _engine(store, service, clock, BASE + BREAK_GLASS, channels)
    request = await before.submit(RESIZE, "U0ONCALL", "C0INC", emergency="storm")
    notifier = RecordingNotifier()
    after = _engine(store, service, clock, restarted_with, channels, notifier)
    clock.advance(seconds=60)
    assert await after.fire_due() == [f"revoked {request.id}"]
    assert service.executed == []
    revoked = await after.get(request.id)
    assert (revoked.state, revoked.cancelled_by, revoked.runs_at) == (RequestState.CANCELLED, "dbops", None)
    [event] = [e for e in await after.audit(request.id) if e.kind == "emergency_revoked"]
    assert event.message.startswith(f"The emergency change {request.id} did not run: the policy no longer")
    clock.advance(hours=2)
    assert await after.fire_due() == []
