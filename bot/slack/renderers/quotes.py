"""People's own words (a rejection or emergency reason) on cards and in threads: always a quoted block,
attributed, so no line of it can pass for one of the bot's (a fake "✅ Succeeded" status line).

Every line is escaped (`mrkdwn.escape`) and starts with `>`; Unicode line breaks count as line breaks.
Where a sentence must stay on one line (an announcement, an audit line), `one_line` joins the lines.
"""

from __future__ import annotations

from bot.slack.renderers.mrkdwn import escape, mention

__all__ = ["attributed", "one_line", "quoted"]


def quoted(text: str) -> str:
    """`text` as a mrkdwn block quote, escaped, every line of it quoted (blank lines included)."""
    lines = text.strip().splitlines() or [""]
    return "\n".join(f">{' ' if line.strip() else ''}{escape(line.rstrip())}" for line in lines)


def attributed(label: str, user: str, text: str) -> str:
    """`*Reason given by <@U…>:*` and the quoted text under it."""
    return f"*{label} by {mention(user)}:*\n{quoted(text)}"


def one_line(text: str) -> str:
    """`text` on one line (every run of whitespace, line breaks included, becomes one space), escaped."""
    return escape(" ".join(text.split()))
