"""Slack's Events API retries a delivery it saw no 2xx answer to, with `X-Slack-Retry-Num` and
`X-Slack-Retry-Reason`: `http_error` when the answer was not 2xx, `http_timeout` when none came within
3 s (api.slack.com/apis/events-api, "Graceful retries"; the reasons as listed in DevelopersIO's summary
of that page and in slack-go #1345). A delivery the bot itself refused (503 while `bots.info` fails) did
nothing, so its retry must be processed; a retry after a timeout may follow a delivery still at work and
is acked and dropped."""

from __future__ import annotations

import asyncio

from tests.fixtures.slack.events import app_home_opened, event_body
from tests.integration.slack.harness import Harness
from tests.support.team import LEAD2

LIMIT = 30.0  # the longest the polling below may take before the test fails


async def test_the_retry_of_an_event_the_bot_refused_with_503_is_processed(bot: Harness) -> None:
    bot.slack.fail("bots.info", "internal_error", times=1)  # the bot's first request asks it
    opened = event_body(app_home_opened(LEAD2, event_id="Ev0RETRY001"))
    first = await bot.post(opened)
    assert first.status_code == 503  # bots.info failed: the app id is unknown, the event is refused
    assert bot.slack.calls_to("views.publish") == []

    # Slack retries what it got a 503 for; once bots.info answers (after its backoff) the retry is served
    deadline = asyncio.get_running_loop().time() + LIMIT
    retry = 1
    while (answer := await bot.post(opened, retry=retry, retry_reason="http_error")).status_code != 200:
        assert answer.status_code == 503, answer.text
        assert asyncio.get_running_loop().time() < deadline, "bots.info was never asked again"
        retry = min(retry + 1, 3)
        await asyncio.sleep(0.05)
    [published] = await bot.slack.wait_for_calls("views.publish")
    assert published.args["user_id"] == LEAD2  # the Home tab is drawn
    assert published.args["view"]["type"] == "home"


async def test_the_retry_of_an_event_after_a_timeout_is_acked_and_not_processed_again(bot: Harness) -> None:
    opened = event_body(app_home_opened(LEAD2, event_id="Ev0RETRY002"))
    assert (await bot.post(opened)).status_code == 200
    await bot.slack.wait_for_calls("views.publish")
    retried = await bot.post(opened, retry=1, retry_reason="http_timeout")
    assert retried.status_code == 200
    await bot.drain()
    assert len(bot.slack.calls_to("views.publish")) == 1
