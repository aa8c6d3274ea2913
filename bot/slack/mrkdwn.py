"""Safe mrkdwn: every user- or DigitalOcean-supplied string goes through `escape` before it is shown.

Slack treats only `&`, `<` and `>` as control characters; escaping them neutralises `<!channel>`,
`<@U…>`, `<#C…>` and disguised links. Mentions are built only from validated Slack IDs.
"""

from __future__ import annotations

import re

__all__ = ["code", "escape", "mention", "mentions"]

_USER_ID = re.compile(r"^[UW][A-Z0-9]+$")


def escape(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def code(text: object) -> str:
    """An escaped value in a code span (backticks inside are replaced, so the span cannot be broken)."""
    return f"`{escape(str(text).replace('`', 'ˋ'))}`"


def mention(user_id: str) -> str:
    """`<@U…>` for a real user ID; anything else is shown escaped, never as a mention."""
    return f"<@{user_id}>" if _USER_ID.match(user_id) else escape(user_id)


def mentions(user_ids: list[str] | tuple[str, ...] | frozenset[str]) -> str:
    return ", ".join(mention(u) for u in user_ids) if user_ids else "nobody yet"
