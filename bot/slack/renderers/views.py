"""The modals: a "Loading…" view opened at once, a form that could not be built (and `failure_text`,
the one sentence that says why), the rejection form, and `FormMeta`, what every form keeps in
`private_metadata` (the change forms are `change_forms.py`).

`FormMeta` is JSON: the action, the channel the command came from (a view submission carries no
channel), and the cluster the form's pickers were built for (a `block_suggestion` carries no other
input's value, only `private_metadata`) with the build's revision.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from slack_sdk.models.blocks import (
    Block,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.ops.changes import Action
from bot.slack import ids
from bot.slack.renderers.blocks import MAX_MODAL_BLOCKS, MAX_SECTION
from bot.slack.renderers.mrkdwn import clip, escape

__all__ = [
    "TITLES",
    "FormMeta",
    "check_view",
    "loading_view",
    "message_view",
    "modal_view",
    "reject_form",
]

TITLES = {
    Action.POOL_CREATE: "Create pool",
    Action.POOL_RESIZE: "Resize pool",
    Action.POOL_DELETE: "Delete pool",
    Action.DB_CREATE: "Create database",
    Action.DB_DROP: "Drop database",
}
REJECT_TITLE = "Reject request"
LOADING_TEXT = ":hourglass_flowing_sand: Loading clusters from DigitalOcean…"
MAX_METADATA = 3000


@dataclass(frozen=True)
class FormMeta:
    """What a form must remember: which change it asks for, where the command was typed, and the
    cluster its dependent inputs were built for (a `block_suggestion` carries no other input's value,
    only `private_metadata`) with the build's revision (see `ids.revised`). The opening command's
    `response_url` (valid 30 minutes, five uses) is kept so the submission can tell the requester where
    the bot cannot post (a DM, group DM or private channel it is not in); it is left out rather than
    taking the metadata past Slack's 3,000 characters."""

    action: Action | None  # None on the rejection form
    channel: str
    request_id: str | None = None  # set on the rejection form
    cluster: str | None = None  # the cluster id the pool, database and user pickers are for
    revision: int = 0
    response_url: str | None = None  # the opening slash command's

    @property
    def title(self) -> str:
        return TITLES[self.action] if self.action is not None else REJECT_TITLE

    def dump(self) -> str:
        action = self.action.value if self.action is not None else None
        data: dict[str, object] = {"a": action, "c": self.channel, "r": self.request_id}
        if self.cluster is not None:
            data["k"] = self.cluster
        if self.revision:  # also before a cluster is chosen: a failed rebuild revises the cluster's block
            data["v"] = self.revision
        text = json.dumps(data)
        if (
            self.response_url
            and len(with_url := json.dumps({**data, "u": self.response_url})) <= MAX_METADATA
        ):
            text = with_url
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
            str(data["u"]) if data.get("u") else None,
        )


def check_view(view: View) -> View:
    """slack_sdk checks the 100-block limit in `to_dict()`; this also checks before anything is sent."""
    if len(view.blocks) > MAX_MODAL_BLOCKS:
        raise ValueError(f"a modal can hold {MAX_MODAL_BLOCKS} blocks, this one has {len(view.blocks)}")
    return view


def modal_view(title: str, blocks: list[Block], meta: FormMeta, *, submit: str | None = None) -> View:
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
    return modal_view(meta.title, blocks, meta)


def _section(text: str) -> SectionBlock:
    """A section of mrkdwn, cut to Slack's 3,000 characters (a summary holds DigitalOcean's names)."""
    return SectionBlock(text=MarkdownTextObject(text=clip(text, MAX_SECTION)))


def message_view(meta: FormMeta, text: str) -> View:
    """A form that could not be built (DigitalOcean failed, no suitable cluster): says why, no submit."""
    return modal_view(meta.title, [_section(escape(text))], meta)


def reject_form(request_id: str, channel: str, summary: str) -> View:
    meta = FormMeta(None, channel, request_id)
    blocks: list[Block] = [
        _section(f"Reject *{escape(request_id)}*: {escape(summary)}?"),
        InputBlock(
            block_id=ids.REASON_BLOCK,
            label="Reason (optional)",
            optional=True,
            element=PlainTextInputElement(action_id=ids.REASON_INPUT, multiline=True, max_length=500),
        ),
    ]
    return modal_view(REJECT_TITLE, blocks, meta, submit="Reject")
