"""Each class of DigitalOcean error reaches the card's thread in plain words, with status and request_id."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.sandbox import SandboxState
from bot.slack import ids
from bot.store import RequestState
from tests.integration.slack.harness import Harness
from tests.support.team import LEAD1


@pytest.mark.parametrize(
    ("inject", "expected"),
    [
        (
            lambda s: s.faults.unauthorized(method="PUT"),
            ":x: The change failed. DigitalOcean refused the bot's token. DigitalOcean answered HTTP 401.",
        ),
        (
            lambda s: s.faults.status(404, method="PUT"),
            ":x: The change failed. DigitalOcean could not find pool staging-web on staging-pg. "
            "DigitalOcean answered HTTP 404.",
        ),
        (
            lambda s: s.faults.rate_limit(method="PUT", reset_in=30, retry_after=30),
            ":x: The change failed. DigitalOcean is rate limiting the bot; try again in 30 seconds. "
            "DigitalOcean answered HTTP 429.",
        ),
    ],
    ids=["401", "404", "429"],
)
async def test_refusals_reach_the_thread(
    bot: Harness, inject: Callable[[SandboxState], object], expected: str
) -> None:
    await bot.command("/pool", "resize staging-pg staging-web size=12")
    request = await bot.request_of(await bot.wait_card())
    inject(bot.sandbox)
    await bot.click(ids.APPROVE, request, user=LEAD1)
    lines = await bot.wait_thread(request, "The change failed")
    assert lines[-1].startswith(expected), lines[-1]
    assert "DigitalOcean request_id: `" in lines[-1]
    assert lines[-1].endswith("Nothing was changed.")
    assert (await bot.engine.get(request.id)).state is RequestState.FAILED


async def test_a_server_error_on_the_write_is_reconciled_not_repeated(bot: Harness) -> None:
    await bot.command("/pool", "resize staging-pg staging-web size=12")
    request = await bot.request_of(await bot.wait_card())
    bot.sandbox.faults.server_error(503, method="PUT")
    await bot.click(ids.APPROVE, request, user=LEAD1)
    lines = await bot.wait_thread(request, "Checked DigitalOcean")
    unknown = [line for line in lines if line.startswith(":grey_question:")]
    assert unknown == [
        ":grey_question: DigitalOcean failed (HTTP 503) while resizing pool staging-web on staging-pg, so "
        "whether it took effect is unknown; the bot will read the state back to decide, never repeat it "
        "blindly. The state is being reconciled by reading DigitalOcean back; "
        "the change will not be sent again."
    ]
    assert lines[-1].startswith(":x: Checked DigitalOcean: The change failed.")
    assert len([c for c in bot.sandbox.calls if c.method == "PUT"]) == 1


async def test_a_write_applied_then_dropped_is_reconciled_as_succeeded(bot: Harness) -> None:
    await bot.command("/pool", "resize staging-pg staging-web size=12")
    request = await bot.request_of(await bot.wait_card())
    bot.sandbox.faults.apply_then_drop(method="PUT")
    await bot.click(ids.APPROVE, request, user=LEAD1)
    lines = await bot.wait_thread(request, "Checked DigitalOcean")
    assert lines[-1].startswith(":white_check_mark: Checked DigitalOcean: The change succeeded.")
    assert (await bot.engine.get(request.id)).state is RequestState.SUCCEEDED
