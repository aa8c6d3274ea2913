"""The change forms: the cluster to choose first, then the inputs of the change for that cluster.

The cluster is a static select (an external select found by typing beyond Slack's 100 options) whose
block dispatches an action when a cluster is chosen; the form is then rebuilt for that cluster
(`modals.py`), with its pools, databases and users as external selects loaded on demand. Until then,
a context line stands where they will appear. A rebuild that fails keeps the form as Slack showed it
(`kept_form`), with the failure on a line under the cluster. A cluster whose id cannot be an option
value is left out (`pickable`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    ExternalDataSelectElement,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.ops import Cluster
from bot.ops.changes import Action
from bot.slack import ids
from bot.slack.form_values import value
from bot.slack.parser import MODES
from bot.slack.renderers.blocks import MAX_SECTION
from bot.slack.renderers.mrkdwn import clip, escape
from bot.slack.renderers.options import MAX_OPTIONS, offerable, option
from bot.slack.renderers.views import TITLES, FormMeta, message_view, modal_view

__all__ = ["NO_CLUSTERS_TEXT", "change_form", "has_dependents", "kept_form", "pickable"]

log = logging.getLogger(__name__)

_SUBMIT = {
    Action.POOL_CREATE: "Ask to create",
    Action.POOL_RESIZE: "Ask to resize",
    Action.POOL_DELETE: "Ask to delete",
    Action.DB_CREATE: "Ask to create",
    Action.DB_DROP: "Ask to drop",
}
NO_CLUSTERS_TEXT = "There is no cluster this change can be made on."
_CHOOSE_FIRST = {
    Action.POOL_CREATE: "Choose a cluster to pick its database and user.",
    Action.POOL_RESIZE: "Choose a cluster to pick one of its pools.",
    Action.POOL_DELETE: "Choose a cluster to pick one of its pools.",
    Action.DB_DROP: "Choose a cluster to pick one of its databases.",
}
RETRY_TEXT = "Choose the cluster again to retry."
_MAX_PROBLEM = MAX_SECTION - 100  # the line holds the problem, then RETRY_TEXT
# what a view sent to `views.update` may carry of the view Slack sent (not its id, hash, state…)
_VIEW_FIELDS = (
    "type",
    "callback_id",
    "title",
    "submit",
    "close",
    "clear_on_close",
    "notify_on_close",
    "external_id",
    "submit_disabled",
)


def pickable(clusters: Iterable[Cluster]) -> list[Cluster]:
    """The clusters that can be options. DigitalOcean's ids are UUIDs, but an id Slack cannot take as an
    option value must not break the form, and cut it would name another cluster (`options.offerable`)."""
    return offerable(clusters, lambda c: c.id, lambda c: c.name, "cluster")


def _cluster_option(cluster: Cluster) -> Option:
    return option(cluster.id, cluster.name)


def has_dependents(action: Action) -> bool:
    """Whether the form has inputs whose choices depend on the chosen cluster (all but `db.create`)."""
    return action in _CHOOSE_FIRST


def _cluster_block(action: Action, clusters: list[Cluster], chosen: Cluster | None) -> InputBlock:
    initial = _cluster_option(chosen) if chosen is not None else None
    element: StaticSelectElement | ExternalDataSelectElement
    if len(clusters) <= MAX_OPTIONS:
        element = StaticSelectElement(
            action_id=ids.CLUSTER_SELECT,
            placeholder="Choose a cluster",
            options=[_cluster_option(c) for c in clusters],
            initial_option=initial,
        )
    else:  # Slack shows at most 100 options: beyond that, the cluster is found by typing part of its name
        element = ExternalDataSelectElement(
            action_id=ids.CLUSTER_SELECT,
            placeholder="Type part of the cluster's name",
            min_query_length=1,
            initial_option=initial,
        )
    return InputBlock(
        block_id=ids.CLUSTER_BLOCK,
        label="Cluster",
        element=element,
        dispatch_action=True if has_dependents(action) else None,
    )


def _text_input(
    block_id: str, label: str, action_id: str, entered: Mapping[str, Any], **options: Any
) -> InputBlock:
    initial = value(entered, block_id, action_id)
    return InputBlock(
        block_id=block_id,
        label=label,
        hint=options.pop("hint", None),
        element=PlainTextInputElement(action_id=action_id, initial_value=initial, **options),
    )


def change_form(meta: FormMeta, clusters: list[Cluster], entered: Mapping[str, Any] | None = None) -> View:
    """The form for `meta.action`, with `clusters` to choose from (already filtered for the action).

    The pool, database and user pickers appear once a cluster is chosen (`meta.cluster`), under block
    ids of `meta.revision`; `entered` (the state Slack sent, plain block ids) pre-fills what still
    applies: the pool name, size, mode and new database name, never a choice made for another cluster.
    """
    clusters = pickable(clusters)
    if not clusters:
        return message_view(meta, NO_CLUSTERS_TEXT)
    action = meta.action
    assert action is not None
    known = {c.id: c for c in clusters}
    chosen = known.get(meta.cluster) if meta.cluster else None
    if chosen is None and len(clusters) == 1:
        chosen = clusters[0]
    meta = replace(meta, cluster=chosen.id if chosen is not None else None)
    before = entered or {}

    waiting = chosen is None and has_dependents(action)
    later = [_choose_first(action)] if waiting else _for_cluster(action, meta.revision)
    blocks: list[Block] = [_cluster_block(action, clusters, chosen)]
    if action is Action.POOL_CREATE:
        blocks += [
            _text_input(
                ids.POOL_BLOCK,
                "Pool name",
                ids.POOL_INPUT,
                before,
                hint="3–60 characters: lowercase letters, digits, - and _, starting with a letter.",
                min_length=3,
                max_length=60,
            ),
            *later,
            _size(optional=False, entered=before),
            _mode(optional=False, entered=before),
        ]
    elif action is Action.POOL_RESIZE:
        blocks += [*later, _size(optional=True, entered=before), _mode(optional=True, entered=before)]
    elif action is Action.DB_CREATE:
        blocks.append(_text_input(ids.DB_BLOCK, "Database name", ids.DB_INPUT, before, max_length=63))
    else:
        blocks += later
    return modal_view(TITLES[action], blocks, meta, submit=_SUBMIT[action])


def kept_form(shown: Mapping[str, Any], meta: FormMeta, problem: str) -> dict[str, Any]:
    """The form as Slack showed it (`shown`, the view of a `block_actions`) with `problem` on a line under
    the cluster, for a rebuild that failed. `meta` is the shown form's, at a new revision. Every input
    keeps its block id, so Slack keeps what was entered, but the cluster's, which takes the revision:
    the field shows again the cluster the pickers are for (its initial option), so choosing the other
    one again retries."""
    line = ContextBlock(
        block_id=ids.FORM_PROBLEM_BLOCK,
        elements=[MarkdownTextObject(text=f":warning: {clip(escape(problem), _MAX_PROBLEM)} {RETRY_TEXT}")],
    ).to_dict()
    blocks: list[dict[str, Any]] = []
    for block in shown.get("blocks") or []:
        block_id = str(block.get("block_id") or "") if isinstance(block, dict) else ""
        if not isinstance(block, dict) or block_id == ids.FORM_PROBLEM_BLOCK:  # an earlier failure's line
            continue
        if ids.base_block(block_id) == ids.CLUSTER_BLOCK:
            blocks += [{**block, "block_id": ids.revised(ids.CLUSTER_BLOCK, meta.revision)}, line]
        else:
            blocks.append(block)
    fields = {key: shown[key] for key in _VIEW_FIELDS if shown.get(key) not in (None, "")}
    return {**fields, "private_metadata": meta.dump(), "blocks": blocks}


def _choose_first(action: Action) -> Block:
    return ContextBlock(
        block_id=ids.CHOOSE_FIRST_BLOCK, elements=[MarkdownTextObject(text=_CHOOSE_FIRST[action])]
    )


def _for_cluster(action: Action, revision: int) -> list[Block]:
    """The inputs whose choices come from the chosen cluster, under this build's block ids."""
    if action is Action.POOL_CREATE:
        return [
            _external(ids.revised(ids.DB_BLOCK, revision), "Database", ids.DB_SELECT, "Choose a database"),
            _external(
                ids.revised(ids.USER_BLOCK, revision),
                "User",
                ids.USER_SELECT,
                "The connecting user, if none",
                optional=True,
            ),
        ]
    if action in (Action.POOL_RESIZE, Action.POOL_DELETE):
        return [_external(ids.revised(ids.POOL_BLOCK, revision), "Pool", ids.POOL_SELECT, "Choose a pool")]
    if action is Action.DB_DROP:
        return [
            _external(ids.revised(ids.DB_BLOCK, revision), "Database", ids.DB_SELECT, "Choose a database"),
            InputBlock(
                block_id=ids.revised(ids.CONFIRM_BLOCK, revision),
                label="Type the database's name to confirm",
                hint="Dropping a database deletes all of its data.",
                element=PlainTextInputElement(action_id=ids.CONFIRM_INPUT, max_length=63),
            ),
        ]
    return []


def _external(
    block_id: str, label: str, action_id: str, placeholder: str, *, optional: bool = False
) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=label,
        optional=optional,
        element=ExternalDataSelectElement(action_id=action_id, placeholder=placeholder, min_query_length=0),
    )


def _size(*, optional: bool, entered: Mapping[str, Any]) -> InputBlock:
    typed = value(entered, ids.SIZE_BLOCK, ids.SIZE_INPUT)
    return InputBlock(
        block_id=ids.SIZE_BLOCK,
        label="Size (backend connections)",
        optional=optional,
        element=NumberInputElement(
            action_id=ids.SIZE_INPUT,
            is_decimal_allowed=False,
            min_value=1,
            initial_value=typed if typed is not None and typed.isascii() and typed.isdigit() else None,
        ),
    )


def _mode(*, optional: bool, entered: Mapping[str, Any]) -> InputBlock:
    options = [Option(value=m, text=m) for m in MODES]
    chosen = value(entered, ids.MODE_BLOCK, ids.MODE_SELECT)
    return InputBlock(
        block_id=ids.MODE_BLOCK,
        label="Mode",
        optional=optional,
        element=StaticSelectElement(
            action_id=ids.MODE_SELECT,
            placeholder="Choose a mode",
            options=options,
            initial_option=next((o for o in options if o.value == chosen), None),
        ),
    )
