"""The change forms: opened within the trigger window, option lists loaded on demand, submissions validated
by the service layer with its messages on the offending fields.

Opening: `views.open` with a "Loading…" view right after the ack (the trigger_id lives 3 s), then
`views.update` with the form once DigitalOcean has listed the clusters. Choosing a cluster sends a
`block_actions` (its input has `dispatch_action`): acked at once, then the form is rebuilt for that
cluster (`FormUpdates`), which `private_metadata` remembers for the pickers' `block_suggestion`s — they
carry no other input's value. Whatever fails, the person is told in the form: a form that cannot be
filled in is replaced by the sentence that says why, a rebuild that fails keeps the form and what was
entered, with the sentence under the cluster (the detail and an error id go to the log). Submitting:
the engine plans the change within Slack's 3 s; a refusal goes back onto the field it names
(`response_action="errors"`). If DigitalOcean is too slow, the form closes and the outcome (card or
refusal) follows in the channel.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import replace
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.ops import Cluster
from bot.ops.changes import Action
from bot.ops.errors import OpsError
from bot.slack import ids
from bot.slack.adapters.form_updates import FormUpdates, update_view
from bot.slack.cards import post_card
from bot.slack.deps import SlackDeps, form_reporter, tell
from bot.slack.form_values import FormError, change_from_form, entered, error_block, shown_block, value
from bot.slack.renderers import messages
from bot.slack.renderers.change_forms import change_form, has_dependents, kept_form, pickable
from bot.slack.renderers.errors import form_failure_text, plain_reply_for, refusal
from bot.slack.renderers.options import MAX_OPTIONS, offerable, option
from bot.slack.renderers.views import FormMeta, loading_view, message_view
from bot.workflow import Request, WorkflowError

__all__ = ["open_form", "register_modals"]

# Said on the cluster field when the form's pickers were built for another cluster than the one chosen
# (the rebuild for the newer choice failed): submitting would mix the two.
CLUSTER_CHANGED = "The form had not caught up with this cluster yet: choose it again."

log = logging.getLogger(__name__)


def _clusters_for(action: Action, clusters: list[Cluster]) -> list[Cluster]:
    if action.value.startswith("pool."):
        return [c for c in clusters if c.engine.is_postgres]
    return [c for c in clusters if c.engine.manages_databases]


async def open_form(
    deps: SlackDeps,
    client: AsyncWebClient,
    *,
    trigger_id: str,
    action: Action,
    channel: str,
    user: str,
    response_url: str | None = None,
) -> None:
    """Open the form for `action` in the background: the loading view at once (the trigger_id lives 3 s),
    then the form when the clusters are read. Call it right after the ack. `response_url` (the opening
    command's) is kept in the form so that its submission can tell the requester where the bot cannot
    post."""
    meta = FormMeta(action, channel, response_url=response_url)

    async def fill() -> None:
        opened = await client.views_open(trigger_id=trigger_id, view=loading_view(meta))
        view_id, shown = str(opened["view"]["id"]), str(opened["view"].get("hash") or "")
        try:
            form = change_form(meta, _clusters_for(action, await deps.reads.list_clusters()))
            # nothing else writes the loading view; the hash still keeps Slack from showing an older one
            await update_view(client, view_id, shown, form)
            return
        except Exception as error:  # never left on "Loading…"
            text = _failure(error, f"could not fill the {action.value} form for {user}")
        # the form was not shown (Slack refused it, or it was never sent): the loading view's hash holds
        await update_view(client, view_id, shown, message_view(meta, text))

    deps.tasks.spawn(
        fill(),
        name=f"form {action.value} for {user}",
        on_error=form_reporter(client, channel, user),
        person=user,
    )


def register_modals(app: AsyncApp, deps: SlackDeps) -> None:
    @app.view(ids.MODAL_CHANGE)
    async def submitted(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        view = body["view"]
        meta = FormMeta.load(view["private_metadata"])
        user = str(body["user"]["id"])
        if meta.action is None:
            await ack()
            return
        action = meta.action
        values = view["state"]["values"]
        try:
            if _behind(view, meta, value(entered(values), ids.CLUSTER_BLOCK, ids.CLUSTER_SELECT)):
                raise FormError(ids.CLUSTER_BLOCK, CLUSTER_CHANGED)
            change = change_from_form(action, values)
        except FormError as error:
            await ack(response_action="errors", errors={shown_block(view, error.block_id): str(error)})
            return

        async def submit() -> Request | None:
            try:
                return await deps.engine.submit(change, user, meta.channel)
            except WorkflowError as refused:
                if acked.is_set():  # too late for the form: say it in the channel
                    await tell(client, meta.channel, user, refusal(refused))
                    return None
                raise

        acked = asyncio.Event()
        task = asyncio.create_task(submit(), name=f"submit {action.value} for {user}")
        done, _ = await asyncio.wait({task}, timeout=deps.submit_budget)
        if not done:
            acked.set()
            await ack()

            async def finish() -> None:
                await tell(client, meta.channel, user, messages.SLOW_SUBMIT)
                request = await task
                if request is not None:
                    await post_card(deps, client, request, respond=_respond(client, meta))

            deps.tasks.spawn(finish(), name=f"card after slow submit for {user}")
            return
        try:
            request = task.result()
        except WorkflowError as refused:
            block = shown_block(view, error_block(action, refused))
            await ack(response_action="errors", errors={block: plain_reply_for(refused)})
            return
        except Exception:
            log.exception("submitting %s for %s failed", action.value, user)
            block = shown_block(view, ids.CLUSTER_BLOCK)
            await ack(response_action="errors", errors={block: messages.INTERNAL_ERROR_SHORT})
            return
        await ack()
        if request is not None:
            card = post_card(deps, client, request, respond=_respond(client, meta))
            deps.tasks.spawn(card, name=f"card {request.id}")

    updates = FormUpdates()

    @app.action(ids.CLUSTER_SELECT)
    async def cluster_chosen(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        """A cluster chosen in a form (its block dispatches actions): rebuild the form for it."""
        await ack()
        view = body.get("view") or {}
        try:
            meta = FormMeta.load(str(view.get("private_metadata") or ""))
        except (ValueError, KeyError, TypeError):
            log.warning("a cluster choice from a view that is not one of our forms")
            return
        action = meta.action
        option = (body.get("actions") or [{}])[0].get("selected_option") or {}
        cluster = str(option.get("value") or "") or None
        if action is None or not has_dependents(action):
            return
        view_id, seen = str(view.get("id") or ""), str(view.get("hash") or "")
        values = entered((view.get("state") or {}).get("values") or {})
        user = str((body.get("user") or {}).get("id") or "")

        async def rebuild() -> None:
            async with updates.lock(view_id):
                from_hash, revision = updates.base(view_id, seen, meta.revision)
                chosen = replace(meta, cluster=cluster, revision=revision + 1)
                try:
                    clusters = _clusters_for(action, await deps.reads.list_clusters())
                    form = change_form(chosen, clusters, values)
                    await updates.update(client, view_id, from_hash, form, revision=revision + 1)
                    return
                except Exception as error:  # keep the form and what was entered
                    text = _failure(error, f"could not rebuild the {action.value} form for {user}")
                kept = kept_form(view, replace(meta, revision=revision + 1), text)
                await updates.update(client, view_id, from_hash, kept, revision=revision + 1)

        deps.tasks.spawn(
            rebuild(),
            name=f"form {action.value} for {user} on {cluster}",
            on_error=form_reporter(client, meta.channel, user),
            person=user,
        )

    async def options(ack: AsyncAck, body: dict[str, Any]) -> None:
        """A `block_suggestion`: Slack sends what was typed and the view's private_metadata, never the
        other inputs' values; the chosen cluster comes from `FormMeta`."""
        action_id = str(body.get("action_id") or "")
        typed = str(body.get("value") or "").strip().lower()
        try:
            meta = FormMeta.load(str((body.get("view") or {}).get("private_metadata") or ""))
        except (ValueError, KeyError, TypeError):
            await ack(options=[])
            return
        try:
            if action_id == ids.CLUSTER_SELECT:
                names = await asyncio.wait_for(_cluster_names(deps, meta.action), deps.options_budget)
            elif meta.cluster is None:
                names = []
            else:
                names = await asyncio.wait_for(_names(deps, action_id, meta.cluster), deps.options_budget)
        except (TimeoutError, OpsError) as error:
            log.warning("could not load %s options for %s: %r", action_id, meta.cluster, error)
            names = []
        chosen = [(v, t) for v, t in names if typed in t.lower()][:MAX_OPTIONS]
        await ack(options=[option(v, t).to_dict() for v, t in chosen])

    for action_id in ids.SELECTS:
        app.options(action_id)(options)


def _respond(client: AsyncWebClient, meta: FormMeta) -> AsyncRespond | None:
    """An answer through the opening command's `response_url`, as bolt builds one for a command."""
    if not meta.response_url:
        return None
    return AsyncRespond(response_url=meta.response_url, proxy=client.proxy, ssl=client.ssl)


def _failure(error: Exception, what: str) -> str:
    """Log why a form could not be built or rebuilt, under a new error id; the sentence it shows."""
    error_id = secrets.token_hex(4)
    if isinstance(error, OpsError):
        log.warning("%s (error %s): %r", what, error_id, error, extra={"error_id": error_id})
    else:
        log.error("%s (error %s)", what, error_id, exc_info=error, extra={"error_id": error_id})
    return form_failure_text(error, error_id)


def _behind(view: dict[str, Any], meta: FormMeta, chosen: str | None) -> bool:
    """Whether the form's pickers were built for another cluster than the one chosen, or not built yet
    (the rebuild for the choice failed or Slack refused it): submitting would mix two clusters."""
    if meta.cluster is not None:
        return chosen != meta.cluster
    blocks = view.get("blocks") or []
    return any(isinstance(b, dict) and b.get("block_id") == ids.CHOOSE_FIRST_BLOCK for b in blocks)


async def _cluster_names(deps: SlackDeps, action: Action | None) -> list[tuple[str, str]]:
    if action is None:
        return []
    return [(c.id, c.name) for c in pickable(_clusters_for(action, await deps.reads.list_clusters()))]


async def _names(deps: SlackDeps, action_id: str, cluster: str) -> list[tuple[str, str]]:
    """(value, text) of the options: a pool's, database's or user's name is both."""
    if action_id == ids.POOL_SELECT:
        kind, names = "pool", [p.name for p in (await deps.reads.list_pools(cluster)).pools]
    elif action_id == ids.DB_SELECT:
        kind, names = "database", [d.name for d in await deps.reads.list_databases(cluster)]
    else:
        kind, names = "user", [u.name for u in await deps.reads.list_users(cluster)]
    return [(n, n) for n in offerable(names, str, str, kind)]
