"""A plan as the card shows it: `before → after` per field, and the backend connections it uses."""

from __future__ import annotations

from bot.ops.plan import Capacity, Plan
from bot.slack.renderers.mrkdwn import code, escape

__all__ = ["capacity_text", "plan_lines"]


def _value(value: str | int | None) -> str:
    return "—" if value is None else code(value)


def plan_lines(plan: Plan) -> list[str]:
    """`before → after` per field that changes (or the whole object on create/delete)."""
    before = plan.before.fields() if plan.before else {}
    after = plan.after.fields() if plan.after else {}
    lines: list[str] = []
    for key in [*before, *[k for k in after if k not in before]]:
        if plan.before is None:
            lines.append(f"• {escape(key)}: {_value(after.get(key))}")
        elif plan.after is None:
            lines.append(f"• {escape(key)}: {_value(before.get(key))}")
        elif before.get(key) != after.get(key):
            lines.append(f"• {escape(key)}: {_value(before.get(key))} → {_value(after.get(key))}")
        else:
            lines.append(f"• {escape(key)}: {_value(before.get(key))} (unchanged)")
    return lines


def capacity_text(before: Capacity | None, after: Capacity | None) -> str | None:
    if before is None and after is None:
        return None
    if before is not None and after is not None:
        return (
            f"Backend connections: {before.used} of {before.total} used → {after.used} of {after.total} "
            f"({after.left} left)"
        )
    only = after or before
    assert only is not None
    return f"Backend connections: {only.used} of {only.total} used ({only.left} left)"
