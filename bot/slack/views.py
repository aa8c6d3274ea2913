"""The modals: a "Loading…" view opened at once, the change forms, and the rejection-reason form.

A form's `private_metadata` is `FormMeta` as JSON (the action and the channel the command came from:
a view submission carries no channel). Clusters are a static select filled when the form is built;
pools, databases and users are external selects loaded on demand for the chosen cluster.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from slack_sdk.models.blocks import (
    Block,
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
from .mrkdwn import escape
from .parser import MODES

__all__ = [
    "TITLES",
    "FormMeta",
    "change_form",
    "check_view",
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
_MAX_OPTIONS = 100


@dataclass(frozen=True)
class FormMeta:
    """What a form must remember: which change it asks for and where the command was typed."""

    action: Action | None  # None on the rejection form
    channel: str
    request_id: str | None = None  # set on the rejection form

    @property
    def title(self) -> str:
        return TITLES[self.action] if self.action is not None else REJECT_TITLE

    def dump(self) -> str:
        action = self.action.value if self.action is not None else None
        text = json.dumps({"a": action, "c": self.channel, "r": self.request_id})
        if len(text) > MAX_METADATA:
            raise ValueError("private_metadata exceeds Slack's 3,000 characters")
        return text

    @classmethod
    def load(cls, text: str) -> FormMeta:
        data = json.loads(text)
        return cls(Action(data["a"]) if data.get("a") else None, str(data["c"]), data.get("r"))


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


def change_form(meta: FormMeta, clusters: list[Cluster]) -> View:
    """The form for `meta.action`, with `clusters` to choose from (already filtered for the action)."""
    if not clusters:
        return message_view(meta, NO_CLUSTERS_TEXT)
    action = meta.action
    assert action is not None
    options = [_cluster_option(c) for c in clusters[:_MAX_OPTIONS]]
    blocks: list[Block] = [
        InputBlock(
            block_id=ids.CLUSTER_BLOCK,
            label="Cluster",
            element=StaticSelectElement(
                action_id=ids.CLUSTER_SELECT,
                placeholder="Choose a cluster",
                options=options,
                initial_option=options[0] if len(options) == 1 else None,
            ),
        )
    ]
    if action is Action.POOL_CREATE:
        blocks += [
            InputBlock(
                block_id=ids.POOL_BLOCK,
                label="Pool name",
                hint="3–60 characters: lowercase letters, digits, - and _, starting with a letter.",
                element=PlainTextInputElement(action_id=ids.POOL_INPUT, min_length=3, max_length=60),
            ),
            _external(ids.DB_BLOCK, "Database", ids.DB_SELECT, "Choose a database"),
            _external(ids.USER_BLOCK, "User", ids.USER_SELECT, "The connecting user, if none", optional=True),
            _size(optional=False),
            _mode(optional=False),
        ]
    elif action is Action.POOL_RESIZE:
        blocks += [
            _external(ids.POOL_BLOCK, "Pool", ids.POOL_SELECT, "Choose a pool"),
            _size(optional=True),
            _mode(optional=True),
        ]
    elif action is Action.POOL_DELETE:
        blocks.append(_external(ids.POOL_BLOCK, "Pool", ids.POOL_SELECT, "Choose a pool"))
    elif action is Action.DB_CREATE:
        blocks.append(
            InputBlock(
                block_id=ids.DB_BLOCK,
                label="Database name",
                element=PlainTextInputElement(action_id=ids.DB_INPUT, max_length=63),
            )
        )
    else:
        blocks += [
            _external(ids.DB_BLOCK, "Database", ids.DB_SELECT, "Choose a database"),
            InputBlock(
                block_id=ids.CONFIRM_BLOCK,
                label="Type the database's name to confirm",
                hint="Dropping a database deletes all of its data.",
                element=PlainTextInputElement(action_id=ids.CONFIRM_INPUT, max_length=63),
            ),
        ]
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


def _size(*, optional: bool) -> InputBlock:
    return InputBlock(
        block_id=ids.SIZE_BLOCK,
        label="Size (backend connections)",
        optional=optional,
        element=NumberInputElement(action_id=ids.SIZE_INPUT, is_decimal_allowed=False, min_value=1),
    )


def _mode(*, optional: bool) -> InputBlock:
    return InputBlock(
        block_id=ids.MODE_BLOCK,
        label="Mode",
        optional=optional,
        element=StaticSelectElement(
            action_id=ids.MODE_SELECT,
            placeholder="Choose a mode",
            options=[Option(value=m, text=m) for m in MODES],
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
