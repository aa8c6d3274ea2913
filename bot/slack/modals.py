"""The change forms: opened within the trigger window, option lists loaded on demand, submissions validated
by the service layer with its messages on the offending fields.

Opening: `views.open` with a "Loading…" view right after the ack (the trigger_id lives 3 s), then
`views.update` with the form once DigitalOcean has listed the clusters. Submitting: the engine plans the
change within Slack's 3 s; a refusal goes back onto the field it names (`response_action="errors"`). If
DigitalOcean is too slow, the form closes and the outcome (card or refusal) follows in the channel.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.ops import Cluster
from bot.ops.changes import Action, Change, DbCreate, DbDrop, PoolCreate, PoolDelete, PoolResize
from bot.ops.errors import OpsError
from bot.workflow import DuplicateRequest, ProtectedDatabase, Request, RequestRefused, WorkflowError

from . import ids, messages
from .approvals import post_card
from .blocks import sentence
from .deps import SlackDeps, tell
from .mrkdwn import escape
from .views import FormMeta, change_form, loading_view, message_view

__all__ = ["FormError", "change_from_form", "open_form", "register_modals"]

log = logging.getLogger(__name__)

_MAX_OPTIONS = 100


class FormError(Exception):
    """A form value the service layer never sees (not a number, confirmation mismatch)."""

    def __init__(self, block_id: str, message: str) -> None:
        self.block_id = block_id
        super().__init__(message)


def _clusters_for(action: Action, clusters: list[Cluster]) -> list[Cluster]:
    if action.value.startswith("pool."):
        return [c for c in clusters if c.engine.is_postgres]
    return [c for c in clusters if c.engine.manages_databases]


async def open_form(
    deps: SlackDeps, client: AsyncWebClient, *, trigger_id: str, action: Action, channel: str, user: str
) -> None:
    """Open the form for `action` in the background: the loading view at once (the trigger_id lives 3 s),
    then the form when the clusters are read. Call it right after the ack."""
    meta = FormMeta(action, channel)

    async def fill() -> None:
        opened = await client.views_open(trigger_id=trigger_id, view=loading_view(meta))
        view_id = str(opened["view"]["id"])
        try:
            clusters = _clusters_for(action, await deps.reads.list_clusters())
            view = change_form(meta, clusters)
        except OpsError as error:
            view = message_view(meta, messages.LOAD_FAILED.format(reason=sentence(str(error))))
        await client.views_update(view_id=view_id, view=view)

    deps.tasks.spawn(fill(), name=f"form {action.value} for {user}")


def _value(values: dict[str, Any], block: str, action_id: str) -> str | None:
    element = (values.get(block) or {}).get(action_id) or {}
    option = element.get("selected_option")
    if option:
        return str(option.get("value") or "") or None
    value = element.get("value")
    return str(value).strip() or None if value is not None else None


def _size(values: dict[str, Any], *, required: bool) -> int | None:
    raw = _value(values, ids.SIZE_BLOCK, ids.SIZE_INPUT)
    if raw is None:
        if required:
            raise FormError(ids.SIZE_BLOCK, messages.SIZE_NOT_NUMBER)
        return None
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise FormError(ids.SIZE_BLOCK, messages.SIZE_NOT_NUMBER)
    return int(raw)


def change_from_form(action: Action, values: dict[str, Any]) -> Change:
    """The change a submitted form asks for; `FormError` for what only the form can check."""
    cluster = _value(values, ids.CLUSTER_BLOCK, ids.CLUSTER_SELECT) or ""
    if action is Action.POOL_CREATE:
        size = _size(values, required=True)
        assert size is not None
        return PoolCreate(
            cluster=cluster,
            pool=_value(values, ids.POOL_BLOCK, ids.POOL_INPUT) or "",
            db=_value(values, ids.DB_BLOCK, ids.DB_SELECT) or "",
            size=size,
            mode=_value(values, ids.MODE_BLOCK, ids.MODE_SELECT) or "",
            user=_value(values, ids.USER_BLOCK, ids.USER_SELECT),
        )
    if action is Action.POOL_RESIZE:
        size = _size(values, required=False)
        mode = _value(values, ids.MODE_BLOCK, ids.MODE_SELECT)
        if size is None and mode is None:
            raise FormError(ids.SIZE_BLOCK, messages.RESIZE_NOTHING)
        pool = _value(values, ids.POOL_BLOCK, ids.POOL_SELECT) or ""
        return PoolResize(cluster=cluster, pool=pool, size=size, mode=mode)
    if action is Action.POOL_DELETE:
        return PoolDelete(cluster=cluster, pool=_value(values, ids.POOL_BLOCK, ids.POOL_SELECT) or "")
    if action is Action.DB_CREATE:
        return DbCreate(cluster=cluster, db=_value(values, ids.DB_BLOCK, ids.DB_INPUT) or "")
    db = _value(values, ids.DB_BLOCK, ids.DB_SELECT) or ""
    if _value(values, ids.CONFIRM_BLOCK, ids.CONFIRM_INPUT) != db:
        raise FormError(ids.CONFIRM_BLOCK, messages.CONFIRM_MISMATCH.format(db=db))
    return DbDrop(cluster=cluster, db=db)


def _target_block(action: Action) -> str:
    return ids.POOL_BLOCK if action.value.startswith("pool.") else ids.DB_BLOCK


def error_block(action: Action, error: WorkflowError) -> str:
    """The input block a refusal belongs on (the field the service layer named, else the target)."""
    if isinstance(error, RequestRefused) and error.field in ids.FIELD_BLOCKS:
        block = ids.FIELD_BLOCKS[error.field]
        if block == ids.USER_BLOCK and action is not Action.POOL_CREATE:
            return _target_block(action)
        if block in (ids.SIZE_BLOCK, ids.MODE_BLOCK) and action not in (
            Action.POOL_CREATE,
            Action.POOL_RESIZE,
        ):
            return _target_block(action)
        return block
    if isinstance(error, DuplicateRequest | ProtectedDatabase):
        return _target_block(action)
    return ids.CLUSTER_BLOCK


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
        try:
            change = change_from_form(action, view["state"]["values"])
        except FormError as error:
            await ack(response_action="errors", errors={error.block_id: str(error)})
            return

        async def submit() -> Request | None:
            try:
                return await deps.engine.submit(change, user, meta.channel)
            except WorkflowError as refused:
                if acked.is_set():  # too late for the form: say it in the channel
                    await tell(
                        client, meta.channel, user, messages.REFUSED.format(reason=escape(str(refused)))
                    )
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
                    await post_card(deps, client, request)

            deps.tasks.spawn(finish(), name=f"card after slow submit for {user}")
            return
        try:
            request = task.result()
        except WorkflowError as refused:
            await ack(response_action="errors", errors={error_block(action, refused): sentence(str(refused))})
            return
        except Exception:
            log.exception("submitting %s for %s failed", action.value, user)
            await ack(response_action="errors", errors={ids.CLUSTER_BLOCK: messages.INTERNAL_ERROR_SHORT})
            return
        await ack()
        if request is not None:
            deps.tasks.spawn(post_card(deps, client, request), name=f"card {request.id}")

    async def options(ack: AsyncAck, body: dict[str, Any]) -> None:
        action_id = str(body.get("action_id") or "")
        typed = str(body.get("value") or "").strip().lower()
        values = ((body.get("view") or {}).get("state") or {}).get("values") or {}
        cluster = _value(values, ids.CLUSTER_BLOCK, ids.CLUSTER_SELECT)
        if cluster is None:
            await ack(options=[])
            return
        try:
            names = await asyncio.wait_for(_names(deps, action_id, cluster), deps.options_budget)
        except (TimeoutError, OpsError) as error:
            log.warning("could not load %s options for %s: %r", action_id, cluster, error)
            names = []
        chosen = [n for n in names if typed in n.lower()][:_MAX_OPTIONS]
        await ack(
            options=[{"text": {"type": "plain_text", "text": n[:75]}, "value": n[:150]} for n in chosen]
        )

    for action_id in (ids.POOL_SELECT, ids.DB_SELECT, ids.USER_SELECT):
        app.options(action_id)(options)


async def _names(deps: SlackDeps, action_id: str, cluster: str) -> list[str]:
    if action_id == ids.POOL_SELECT:
        return [p.name for p in (await deps.reads.list_pools(cluster)).pools]
    if action_id == ids.DB_SELECT:
        return [d.name for d in await deps.reads.list_databases(cluster)]
    return [u.name for u in await deps.reads.list_users(cluster)]
