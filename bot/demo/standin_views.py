"""The stand-in's modals: what Slack keeps of each open view, and the payloads Slack sends from one.

Slack keeps, for each view, its blocks, a `hash` that changes with every `views.update`, and what the
person entered (`state.values`). `views.update` with a `hash` other than the current one is refused with
`hash_conflict`; an input whose `block_id` and `action_id` are unchanged keeps what the person entered,
a new one starts from its `initial_*` value. `enter()` plays the person choosing or typing, `close()`
closing the modal.

The payloads have the shapes of Slack's own (see `tests/fixtures/slack/modals.py`, which cites the
sources): a `block_actions` from a modal carries the whole view with its `state.values`; a
`block_suggestion` carries the view with `state.values` EMPTY (Slack sends no other input's value while
an external select loads its options), plus its `id`, `hash` and `private_metadata`.
"""

from __future__ import annotations

import copy
import itertools
import time
from typing import Any

__all__ = ["StandInViews"]

_STATE_FIELDS = {
    "static_select": "selected_option",
    "external_select": "selected_option",
    "plain_text_input": "value",
    "number_input": "value",
}
_INITIAL_FIELDS = {"selected_option": "initial_option", "value": "initial_value"}


def _inputs(view: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """The view's input elements by (block_id, action_id)."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for block in view.get("blocks") or []:
        element = block.get("element") or {}
        if block.get("type") == "input" and "action_id" in element:
            found[(str(block.get("block_id")), str(element["action_id"]))] = element
    return found


def _initial(element: dict[str, Any]) -> dict[str, Any]:
    kind = str(element.get("type"))
    field = _STATE_FIELDS.get(kind, "value")
    return {"type": kind, field: copy.deepcopy(element.get(_INITIAL_FIELDS[field]))}


class StandInViews:
    """Views opened through the stand-in, by view id (`views` is the dict the stand-in exposes)."""

    def __init__(self, team_id: str, app_id: str, bot_id: str) -> None:
        self.views: dict[str, dict[str, Any]] = {}
        self._team_id, self._app_id, self._bot_id = team_id, app_id, bot_id
        self._ids = itertools.count(1)
        self._hashes = itertools.count(1)

    # ---- Web API: views.open / views.push / views.update --------------------------------------

    def answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        raw = args.get("view")
        view: dict[str, Any] = dict(raw) if isinstance(raw, dict) else {}
        if method == "views.update":
            view_id = str(args.get("view_id") or "")
            old = self.views.get(view_id)
            if old is None:
                return {"ok": False, "error": "not_found"}
            if args.get("hash") and args["hash"] != old["hash"]:
                return {"ok": False, "error": "hash_conflict"}
            values = self._carried(old, view)
            root, previous = old["root_view_id"], old["previous_view_id"]
        else:
            view_id = f"V{next(self._ids):08d}"
            values = {}
            root, previous = view_id, None
        for (block_id, action_id), element in _inputs(view).items():
            values.setdefault(block_id, {}).setdefault(action_id, _initial(element))
        stored = {
            **view,
            "id": view_id,
            "team_id": self._team_id,
            "state": {"values": values},
            "hash": f"{int(time.time())}.{next(self._hashes):08d}",
            "private_metadata": str(view.get("private_metadata") or ""),
            "callback_id": str(view.get("callback_id") or ""),
            "external_id": str(view.get("external_id") or ""),
            "root_view_id": root,
            "previous_view_id": previous,
            "app_id": self._app_id,
            "app_installed_team_id": self._team_id,
            "bot_id": self._bot_id,
        }
        self.views[view_id] = stored
        return {"ok": True, "view": copy.deepcopy(stored)}

    @staticmethod
    def _carried(old: dict[str, Any], new: dict[str, Any]) -> dict[str, dict[str, Any]]:
        """What the person entered in inputs the new view keeps (same block_id, action_id and type)."""
        kept: dict[str, dict[str, Any]] = {}
        old_inputs = _inputs(old)
        for key, element in _inputs(new).items():
            before = old_inputs.get(key)
            if before is not None and before.get("type") == element.get("type"):
                block_id, action_id = key
                kept.setdefault(block_id, {})[action_id] = old["state"]["values"][block_id][action_id]
        return kept

    # ---- the person ----------------------------------------------------------------------------

    def element(self, view_id: str, action_id: str) -> tuple[str, dict[str, Any]]:
        """(block_id, element) of the input with `action_id` in the view as Slack shows it now."""
        for (block_id, found), element in _inputs(self.views[view_id]).items():
            if found == action_id:
                return block_id, element
        raise KeyError(f"the view {view_id} shows no input {action_id!r}")

    def enter(self, view_id: str, action_id: str, value: str | None, *, text: str | None = None) -> str:
        """The person types `value` or, in a select, chooses the option `value` (shown as `text`).
        Returns the input's block_id."""
        block_id, element = self.element(view_id, action_id)
        kind = str(element.get("type"))
        field = _STATE_FIELDS.get(kind, "value")
        entry: Any = value
        if field == "selected_option" and value is not None:
            entry = {"text": {"type": "plain_text", "text": text or value, "emoji": True}, "value": value}
        self.views[view_id]["state"]["values"][block_id][action_id] = {"type": kind, field: entry}
        return block_id

    def dispatches(self, view_id: str, action_id: str) -> bool:
        """Whether choosing in this input sends a `block_actions` (its block has `dispatch_action`)."""
        block_id, _ = self.element(view_id, action_id)
        blocks = self.views[view_id].get("blocks") or []
        return any(b.get("block_id") == block_id and b.get("dispatch_action") for b in blocks)

    def close(self, view_id: str) -> None:
        """The person closes the modal: Slack forgets it, and `views.update` answers `not_found` (no
        `view_closed` is sent: our views do not set `notify_on_close`)."""
        del self.views[view_id]

    # ---- Slack → bot payloads -----------------------------------------------------------------

    def _common(self, user: str, team_domain: str) -> dict[str, Any]:
        return {
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": self._team_id},
            "api_app_id": self._app_id,
            "token": "deprecated-verification-token",
            "team": {"id": self._team_id, "domain": team_domain},
        }

    def action_payload(self, view_id: str, action_id: str, *, user: str, team_domain: str) -> dict[str, Any]:
        """The `block_actions` Slack sends when the person chooses in a `dispatch_action` input."""
        if not self.dispatches(view_id, action_id):
            raise AssertionError(f"choosing in {action_id!r} sends nothing: its block has no dispatch_action")
        view = copy.deepcopy(self.views[view_id])
        block_id, element = self.element(view_id, action_id)
        entry = view["state"]["values"][block_id][action_id]
        action: dict[str, Any] = {
            "type": element["type"],
            "action_id": action_id,
            "block_id": block_id,
            "action_ts": f"{time.time():.6f}",
        }
        if "placeholder" in element:
            action["placeholder"] = element["placeholder"]
        field = _STATE_FIELDS.get(str(element["type"]), "value")
        action[field] = entry.get(field)
        return {
            "type": "block_actions",
            **self._common(user, team_domain),
            "container": {"type": "view", "view_id": view_id},
            "trigger_id": f"{int(time.time())}.{next(self._hashes)}.standin",
            "enterprise": None,
            "is_enterprise_install": False,
            "view": view,
            "actions": [action],
        }

    def suggestion_payload(
        self, view_id: str, action_id: str, typed: str, *, user: str, team_domain: str
    ) -> dict[str, Any]:
        """The `block_suggestion` Slack sends while an external select loads: `view.state.values` empty."""
        view = copy.deepcopy(self.views[view_id])
        block_id, element = self.element(view_id, action_id)
        if element.get("type") != "external_select":
            raise AssertionError(f"{action_id!r} is a {element.get('type')}: Slack loads no options for it")
        if len(typed) < int(element.get("min_query_length", 3)):
            raise AssertionError(f"Slack sends no block_suggestion for {typed!r}: it waits for more typing")
        view["state"] = {"values": {}}
        return {
            "type": "block_suggestion",
            **self._common(user, team_domain),
            "container": {"type": "view", "view_id": view_id},
            "action_id": action_id,
            "block_id": block_id,
            "value": typed,
            "view": view,
        }

    def submission_payload(self, view_id: str, *, user: str, team_domain: str) -> dict[str, Any]:
        """The `view_submission` Slack sends when the person presses the submit button."""
        return {
            "type": "view_submission",
            **self._common(user, team_domain),
            "trigger_id": f"{int(time.time())}.{next(self._hashes)}.standin",
            "view": copy.deepcopy(self.views[view_id]),
            "response_urls": [],
        }
