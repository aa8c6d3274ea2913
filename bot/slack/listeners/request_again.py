"""The **Request again** button: ack, then open the failed request's change as a new request by the person
who clicked, in the same channel, with a new card (the engine applies every rule a new request meets)."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import ids
from bot.slack.cards import post_card
from bot.slack.deps import SlackDeps, answer, clicked, reporter
from bot.slack.renderers import messages
from bot.slack.renderers.mrkdwn import escape
from bot.workflow import WorkflowError

__all__ = ["register_request_again"]


def register_request_again(app: AsyncApp, deps: SlackDeps) -> None:
    @app.action(ids.REQUEST_AGAIN)
    async def request_again(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        click = clicked(body)

        async def work() -> None:
            try:
                old = await deps.engine.get(click.request_id)
                new = await deps.engine.submit(old.change, click.user, old.channel)
            except WorkflowError as refused:
                await answer(deps, client, click, escape(str(refused)))
                return
            if await post_card(deps, client, new):
                await answer(deps, client, click, messages.REQUESTED_AGAIN.format(id=new.id, old=old.id))

        deps.tasks.spawn(
            work(),
            name=f"request {click.request_id} again by {click.user}",
            on_error=reporter(deps, client, click),
            decision=True,
        )
