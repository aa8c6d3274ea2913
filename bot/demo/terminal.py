"""Show Slack messages in a terminal roughly as a person sees them in the channel (rich)."""

from __future__ import annotations

import html
import re
from typing import Any

from rich.console import Console, Group
from rich.emoji import Emoji
from rich.panel import Panel
from rich.text import Text

__all__ = ["NAMES", "blocks_to_text", "message_panel", "mrkdwn"]

_LINK = re.compile(r"<([^|>]+)\|([^>]+)>")
_MENTION = re.compile(r"<@([A-Z0-9]+)>")
_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")


# Display names for user IDs, as Slack shows mentions (set by the demo).
NAMES: dict[str, str] = {}


def mrkdwn(text: str) -> str:
    """Slack mrkdwn → plain terminal text: links, mentions and emoji shown, `*bold*` marks dropped, entities
    decoded."""
    text = _LINK.sub(r"\2", text)
    text = _BOLD.sub(r"\1", text)
    text = _MENTION.sub(lambda m: "@" + NAMES.get(m.group(1), m.group(1)), text)
    text = re.sub(r"@(U[A-Z0-9]+)", lambda m: "@" + NAMES.get(m.group(1), m.group(1)), text)
    return Emoji.replace(html.unescape(text))


def _text_of(obj: Any) -> str:
    if isinstance(obj, dict):
        return mrkdwn(str(obj.get("text", "")))
    return ""


def blocks_to_text(blocks: list[dict[str, Any]], fallback: str = "") -> Text:
    """The readable content of Block Kit blocks: headers, sections, fields, context lines and buttons."""
    out = Text()
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            out.append(_text_of(block.get("text")) + "\n", style="bold")
        elif kind == "section":
            if block.get("text"):
                out.append(_text_of(block.get("text")) + "\n")
            for item in block.get("fields") or []:
                out.append("  " + _text_of(item) + "\n")
        elif kind == "context":
            line = "  ".join(_text_of(e) for e in block.get("elements") or [])
            out.append(line + "\n", style="dim")
        elif kind == "actions":
            buttons = [f"[ {_text_of(e.get('text'))} ]" for e in block.get("elements") or []]
            out.append(" ".join(buttons) + "\n", style="bold cyan")
        elif kind == "divider":
            out.append("─" * 40 + "\n", style="dim")
        elif kind == "rich_text":
            out.append(fallback + "\n")
    if not blocks:
        out.append(mrkdwn(fallback) + "\n")
    return out


def message_panel(title: str, blocks: list[dict[str, Any]], text: str, *, style: str = "white") -> Panel:
    return Panel(Group(blocks_to_text(blocks, text)), title=title, title_align="left", border_style=style)


def console() -> Console:
    return Console(highlight=False, soft_wrap=False)
