"""Reading a change form's `view.state.values`: the change it asks for, and where a refusal belongs.

Slack puts what the person entered under `values[block_id][action_id]`; cluster-dependent inputs carry
a revision in their block_id (`ids.revised`), which `entered()` drops so the rest reads plain block ids.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.ops.changes import Action, Change, DbCreate, DbDrop, PoolCreate, PoolDelete, PoolMode, PoolResize
from bot.ops.errors import InvalidRequest
from bot.ops.rules import check_resize_asks, parse_mode, parse_size
from bot.slack import ids
from bot.slack.renderers import messages
from bot.slack.renderers.blocks import sentence
from bot.workflow import DuplicateRequest, RequestRefused, WorkflowError

__all__ = ["FormError", "change_from_form", "entered", "error_block", "shown_block", "value"]


class FormError(Exception):
    """A form value the service layer never sees (not a number, confirmation mismatch)."""

    def __init__(self, block_id: str, message: str) -> None:
        self.block_id = block_id
        super().__init__(message)


def entered(values: Mapping[str, Any]) -> dict[str, Any]:
    """`view.state.values` keyed by plain block ids (revisions dropped); malformed entries skipped."""
    plain: dict[str, Any] = {}
    for block_id, elements in values.items():
        if isinstance(elements, dict):
            plain[ids.base_block(str(block_id))] = elements
    return plain


def value(values: Mapping[str, Any], block: str, action_id: str) -> str | None:
    """What the person entered or chose in one input (plain block ids), or None."""
    element = (values.get(block) or {}).get(action_id) or {}
    if not isinstance(element, dict):
        return None
    option = element.get("selected_option")
    if isinstance(option, dict):
        return str(option.get("value") or "") or None
    raw = element.get("value")
    return str(raw).strip() or None if raw is not None else None


def _size(values: Mapping[str, Any], *, required: bool) -> int | None:
    raw = value(values, ids.SIZE_BLOCK, ids.SIZE_INPUT)
    if raw is None and not required:
        return None
    try:
        return parse_size(raw or "")
    except InvalidRequest as refused:
        raise FormError(ids.SIZE_BLOCK, sentence(str(refused))) from None


def _mode(values: Mapping[str, Any], *, required: bool) -> PoolMode | None:
    raw = value(values, ids.MODE_BLOCK, ids.MODE_SELECT)
    if raw is None and not required:
        return None
    try:
        return parse_mode(raw or "")
    except InvalidRequest as refused:
        raise FormError(ids.MODE_BLOCK, sentence(str(refused))) from None


def change_from_form(action: Action, state_values: Mapping[str, Any]) -> Change:
    """The change a submitted form asks for; `FormError` for what only the form can check."""
    values = entered(state_values)
    cluster = value(values, ids.CLUSTER_BLOCK, ids.CLUSTER_SELECT) or ""
    if action is Action.POOL_CREATE:
        size = _size(values, required=True)
        mode = _mode(values, required=True)
        assert size is not None
        assert mode is not None
        return PoolCreate(
            cluster=cluster,
            pool=value(values, ids.POOL_BLOCK, ids.POOL_INPUT) or "",
            db=value(values, ids.DB_BLOCK, ids.DB_SELECT) or "",
            size=size,
            mode=mode,
            user=value(values, ids.USER_BLOCK, ids.USER_SELECT),
        )
    if action is Action.POOL_RESIZE:
        size = _size(values, required=False)
        mode = _mode(values, required=False)
        try:
            check_resize_asks(size, mode)
        except InvalidRequest as refused:
            raise FormError(ids.SIZE_BLOCK, sentence(str(refused))) from None
        pool = value(values, ids.POOL_BLOCK, ids.POOL_SELECT) or ""
        return PoolResize(cluster=cluster, pool=pool, size=size, mode=mode)
    if action is Action.POOL_DELETE:
        return PoolDelete(cluster=cluster, pool=value(values, ids.POOL_BLOCK, ids.POOL_SELECT) or "")
    if action is Action.DB_CREATE:
        return DbCreate(cluster=cluster, db=value(values, ids.DB_BLOCK, ids.DB_INPUT) or "")
    db = value(values, ids.DB_BLOCK, ids.DB_SELECT) or ""
    if value(values, ids.CONFIRM_BLOCK, ids.CONFIRM_INPUT) != db:
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
    if isinstance(error, DuplicateRequest):
        return _target_block(action)
    return ids.CLUSTER_BLOCK


def shown_block(view: Mapping[str, Any], block: str) -> str:
    """The block_id the view shows for the plain `block` (with its revision), else the cluster block:
    Slack only shows `response_action="errors"` on input blocks the view has."""
    for shown in view.get("blocks") or []:
        block_id = str(shown.get("block_id") or "") if isinstance(shown, dict) else ""
        if shown.get("type") == "input" and ids.base_block(block_id) == block:
            return block_id
    return ids.CLUSTER_BLOCK
