"""The modals: a "Loading…" view opened at once, the change forms, and the rejection-reason form.

A form's `private_metadata` is `FormMeta` as JSON (the action, the channel the command came from — a
view submission carries no channel — and the chosen cluster, which a `block_suggestion` does not carry).
Clusters are a static select filled when the form is built (an external select found by typing beyond
Slack's 100 options) that dispatches an action when chosen; the form is then rebuilt for that cluster,
with its pools, databases and users as external selects loaded on demand.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
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
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.ops import Cluster
from bot.ops.changes import Action

from . import ids
from .blocks import MAX_MODAL_BLOCKS
from .form_values import value
from .mrkdwn import escape
from .parser import MODES

__all__ = [
    "TITLES",
    "FormMeta",
    "change_form",
    "check_view",
    "has_dependents",
    "loading_view",
    "message_view",
    "reject_form",
]

TITLES = {
    Action.POOL_CREATE: "Create pool",
    Action.POOL_RESIZE: "Resize pool",
    Action.POOL_DELETE: "Delete pool",
    Action.DB_CREATE: "Create database",
    Action.DB_DROP: "Drop database",
}
_SUBMIT = {
    Action.POOL_CREATE: "Ask to create",
    Action.POOL_RESIZE: "Ask to resize",
    Action.POOL_DELETE: "Ask to delete",
    Action.DB_CREATE: "Ask to create",
    Action.DB_DROP: "Ask to drop",
}
REJECT_TITLE = "Reject request"
LOADING_TEXT = ":hourglass_flowing_sand: Loading clusters from DigitalOcean…"
NO_CLUSTERS_TEXT = "There is no cluster this change can be made on."
MAX_METADATA = 3000
_CHOOSE_FIRST = {
    Action.POOL_CREATE: "Choose a cluster to pick its database and user.",
    Action.POOL_RESIZE: "Choose a cluster to pick one of its pools.",
    Action.POOL_DELETE: "Choose a cluster to pick one of its pools.",
    Action.DB_CREATE: "",
    Action.DB_DROP: "Choose a cluster to pick one of its databases.",
}
_MAX_OPTIONS = 100


@dataclass(frozen=True)
class FormMeta:
    """What a form must remember: which change it asks for, where the command was typed, and the
    cluster its dependent inputs were built for (a `block_suggestion` carries no other input's value,
    only `private_metadata`) with the build's revision (see `ids.revised`)."""

    action: Action | None  # None on the rejection form
    channel: str
    request_id: str | None = None  # set on the rejection form
    cluster: str | None = None  # the cluster id the pool, database and user pickers are for
    revision: int = 0

    @property
    def title(self) -> str:
        return TITLES[self.action] if self.action is not None else REJECT_TITLE

    def dump(self) -> str:
        action = self.action.value if self.action is not None else None
        data: dict[str, object] = {"a": action, "c": self.channel, "r": self.request_id}
        if self.cluster is not None:
            data |= {"k": self.cluster, "v": self.revision}
        text = json.dumps(data)
        if len(text) > MAX_METADATA:
            raise ValueError("private_metadata exceeds Slack's 3,000 characters")
        return text

    @classmethod
    def load(cls, text: str) -> FormMeta:
        data = json.loads(text)
        cluster = data.get("k")
        return cls(
            Action(data["a"]) if data.get("a") else None,
            str(data["c"]),
            data.get("r"),
            str(cluster) if cluster else None,
            int(data.get("v") or 0),
        )


def check_view(view: View) -> View:
    """slack_sdk checks the 100-block limit in `to_dict()`; this also checks before anything is sent."""
    if len(view.blocks) > MAX_MODAL_BLOCKS:
        raise ValueError(f"a modal can hold {MAX_MODAL_BLOCKS} blocks, this one has {len(view.blocks)}")
    return view


def _modal(title: str, blocks: list[Block], meta: FormMeta, *, submit: str | None = None) -> View:
    return check_view(
        View(
            type="modal",
            callback_id=ids.MODAL_CHANGE if meta.request_id is None else ids.MODAL_REJECT,
            title=title,
            submit=submit,
            close="Cancel",
            private_metadata=meta.dump(),
            blocks=blocks,
        )
    )


def loading_view(meta: FormMeta) -> View:
    """What `views.open` shows within the 3-second trigger window, before DigitalOcean has answered."""
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=LOADING_TEXT))]
    return _modal(meta.title, blocks, meta)


def message_view(meta: FormMeta, text: str) -> View:
    """A form that could not be built (DigitalOcean failed, no suitable cluster): says why, no submit."""
    return _modal(meta.title, [SectionBlock(text=MarkdownTextObject(text=escape(text)))], meta)


def _cluster_option(cluster: Cluster) -> Option:
    return Option(value=cluster.id, text=cluster.name[:75])


def has_dependents(action: Action) -> bool:
    """Whether the form has inputs whose choices depend on the chosen cluster (all but `db.create`)."""
    return action is not Action.DB_CREATE


def _cluster_block(action: Action, clusters: list[Cluster], chosen: Cluster | None) -> InputBlock:
    initial = _cluster_option(chosen) if chosen is not None else None
    element: StaticSelectElement | ExternalDataSelectElement
    if len(clusters) <= _MAX_OPTIONS:
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

    def dependent(block_id: str) -> str:
        return ids.revised(block_id, meta.revision)

    later: list[Block] = [
        ContextBlock(
            elements=[MarkdownTextObject(text=_CHOOSE_FIRST[action])], block_id=ids.CHOOSE_FIRST_BLOCK
        )
    ]
    blocks: list[Block] = [_cluster_block(action, clusters, chosen)]
    if action is Action.POOL_CREATE:
        if chosen is not None:
            later = [
                _external(dependent(ids.DB_BLOCK), "Database", ids.DB_SELECT, "Choose a database"),
                _external(
                    dependent(ids.USER_BLOCK),
                    "User",
                    ids.USER_SELECT,
                    "The connecting user, if none",
                    optional=True,
                ),
            ]
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
        if chosen is not None:
            later = [_external(dependent(ids.POOL_BLOCK), "Pool", ids.POOL_SELECT, "Choose a pool")]
        blocks += [*later, _size(optional=True, entered=before), _mode(optional=True, entered=before)]
    elif action is Action.POOL_DELETE:
        if chosen is not None:
            later = [_external(dependent(ids.POOL_BLOCK), "Pool", ids.POOL_SELECT, "Choose a pool")]
        blocks += later
    elif action is Action.DB_CREATE:
        blocks.append(_text_input(ids.DB_BLOCK, "Database name", ids.DB_INPUT, before, max_length=63))
    else:
        if chosen is not None:
            later = [
                _external(dependent(ids.DB_BLOCK), "Database", ids.DB_SELECT, "Choose a database"),
                InputBlock(
                    block_id=dependent(ids.CONFIRM_BLOCK),
                    label="Type the database's name to confirm",
                    hint="Dropping a database deletes all of its data.",
                    element=PlainTextInputElement(action_id=ids.CONFIRM_INPUT, max_length=63),
                ),
            ]
        blocks += later
    return _modal(TITLES[action], blocks, meta, submit=_SUBMIT[action])


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


def reject_form(request_id: str, channel: str, summary: str) -> View:
    meta = FormMeta(None, channel, request_id)
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=f"Reject *{escape(request_id)}*: {escape(summary)}?")),
        InputBlock(
            block_id=ids.REASON_BLOCK,
            label="Reason (optional)",
            optional=True,
            element=PlainTextInputElement(action_id=ids.REASON_INPUT, multiline=True, max_length=500),
        ),
    ]
    return _modal(REJECT_TITLE, blocks, meta, submit="Reject")
