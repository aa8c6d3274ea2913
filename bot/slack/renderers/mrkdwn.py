"""Safe mrkdwn: every user- or DigitalOcean-supplied string goes through `escape` before it is shown.

Slack treats only `&`, `<` and `>` as control characters; escaping them neutralises `<!channel>`,
`<@U…>`, `<#C…>` and disguised links. Mentions are built only from validated Slack IDs.
"""

from __future__ import annotations

import re

__all__ = ["TEXT_LIMIT", "channel_link", "clip", "code", "escape", "mention", "mentions"]

_USER_ID = re.compile(r"^[UW][A-Z0-9]+$")
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]+$")
TEXT_LIMIT = 4000  # Slack's guidance for a message's text (it truncates at 40,000)
_CUT_NOTE = " … (cut: {n:,} more characters)"


def escape(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def code(text: object) -> str:
    """An escaped value in a code span (backticks inside are replaced, so the span cannot be broken)."""
    return f"`{escape(str(text).replace('`', 'ˋ'))}`"


def mention(user_id: str) -> str:
    """`<@U…>` for a real user ID; anything else is shown escaped, never as a mention."""
    return f"<@{user_id}>" if _USER_ID.match(user_id) else escape(user_id)


def channel_link(channel: str) -> str:
    """`<#C…>` for a real channel ID (Slack shows its name, as a link); anything else (a name pattern such
    as `inc-*`) as `#` and the escaped text, never as a link."""
    return f"<#{channel}>" if _CHANNEL_ID.match(channel) else f"#{escape(channel)}"


def mentions(user_ids: list[str] | tuple[str, ...] | frozenset[str]) -> str:
    return ", ".join(mention(u) for u in user_ids) if user_ids else "nobody yet"


def clip(text: str, limit: int = TEXT_LIMIT) -> str:
    """`text` in at most `limit` characters: when it is longer, it is cut where mrkdwn stays whole (never
    inside a code span, an `&amp;`-style entity or a `<…>` mention, link or date) and ends with a note
    saying how much was left out."""
    if len(text) <= limit:
        return text
    end = max(0, limit - len(_CUT_NOTE.format(n=len(text))))
    while True:
        head = text[:end]
        start = end
        if head.count("`") % 2:  # inside a code span: cut before it opens
            end = head.rindex("`")
        elif head.rfind("<") > head.rfind(">"):
            end = head.rindex("<")
        elif head.rfind("&") > head.rfind(";"):
            end = head.rindex("&")
        if end == start:
            break
    head = text[:end].rstrip()
    return head + _CUT_NOTE.format(n=len(text) - len(head))
