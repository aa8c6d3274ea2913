"""Rendering: the approval card, its thread lines and the answers to reads, as Block Kit models.

Everything a person or DigitalOcean supplied is escaped (`mrkdwn.escape`) or shown as plain text, so a
pool named `<!channel>` is shown, never sent as a ping. Blocks are slack_sdk models; callers (and tests)
render them with `to_dict()`, which checks Slack's per-field limits. The 50-blocks-a-message limit, which
slack_sdk does not check, is enforced here by `check_message`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.ops.plan import Plan
from bot.slack import ids
from bot.slack.renderers.mrkdwn import clip, code, escape, mention, mentions
from bot.slack.renderers.plan_text import capacity_text, plan_lines
from bot.slack.renderers.quotes import attributed
from bot.slack.renderers.revert import drop_is_final, revert_actions
from bot.slack.renderers.states import state_word
from bot.workflow import SYSTEM_ACTOR, Request, RequestState

__all__ = [
    "MAX_MESSAGE_BLOCKS",
    "MAX_MODAL_BLOCKS",
    "MAX_SECTION",
    "card_blocks",
    "card_text",
    "check_message",
    "date",
    "emergency_text",
    "full_stop",
    "sentence",
    "state_line",
    "stop_button",
    "warning_lines",
]

MAX_MESSAGE_BLOCKS = 50
MAX_MODAL_BLOCKS = 100
MAX_SECTION = 3000
_MAX_HEADER = 150


def sentence(text: str) -> str:
    """A service-layer message ("size 120 exceeds …") as a sentence: capitalised, with a full stop."""
    text = text.strip()
    if not text:
        return text
    return full_stop(text[0].upper() + text[1:])


def warning_lines(warnings: list[str]) -> str:
    """Service-layer warnings as `:warning:` lines, each escaped and a sentence."""
    return "\n".join(f":warning: {sentence(escape(w))}" for w in warnings)


def full_stop(text: str) -> str:
    """`text` ending as a sentence ends (a reason someone typed, before the next sentence follows it)."""
    text = text.rstrip()
    return text if not text or text.endswith((".", "!", "?")) else text + "."


def date(at: datetime) -> str:
    """A time each reader sees in their own time zone (Slack's date formatting), with a UTC fallback."""
    fallback = at.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(at.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def state_line(request: Request) -> str:
    """The card's status line; for a finished request it says in so many words how it ended."""
    state = request.state
    if state is RequestState.PENDING and request.is_emergency:
        return ":rotating_light: *Emergency* — counting down; it runs without approval unless stopped."
    if state is RequestState.PENDING:
        missing = request.approvals_missing
        more = f"{missing} more approval{'s' if missing != 1 else ''}"
        count = f"{len(request.approvals)} of {request.required_approvals}"
        return f":hourglass_flowing_sand: *Waiting for {more}* ({count})"
    if state is RequestState.APPROVED:
        return ":white_check_mark: *Approved* — the change is about to run."
    if state is RequestState.EXECUTING:
        return ":gear: *Running* on DigitalOcean…"
    if state is RequestState.UNKNOWN:
        return (
            ":grey_question: *Outcome unknown* — DigitalOcean gave no clear answer; the bot is reading "
            "the state back to decide whether the change took effect."
        )
    if state is RequestState.SUCCEEDED:
        return ":white_check_mark: *Succeeded* — the change was made."
    if state is RequestState.FAILED:
        return ":x: *Failed* — the change did not succeed."
    if state is RequestState.REJECTED:
        who = mention(request.rejected_by) if request.rejected_by else "an approver"
        line = f":no_entry_sign: *Rejected* by {who} — nothing was changed."
        if request.rejection_reason:
            line += "\n" + attributed(
                "Reason given", request.rejected_by or "an approver", request.rejection_reason
            )
        return line
    if state is RequestState.CANCELLED and request.is_emergency and request.cancelled_by == SYSTEM_ACTOR:
        return (
            ":octagonal_sign: *Not run* — the policy no longer allowed it when its countdown ended; "
            "nothing was changed."
        )
    if state is RequestState.CANCELLED and request.is_emergency:
        who = mention(request.cancelled_by) if request.cancelled_by else "someone"
        return f":octagonal_sign: *Stopped* by {who} before it ran — nothing was changed."
    if state is RequestState.CANCELLED:
        who = mention(request.cancelled_by) if request.cancelled_by else "the requester"
        return f":heavy_multiplication_x: *Cancelled* by {who} — nothing was changed."
    return ":hourglass: *Expired* before it was approved — nothing was changed."


def failure_text(request: Request) -> str | None:
    """The error in plain words, with DigitalOcean's status code and request_id when there is one."""
    failure = request.failure
    if failure is None:
        return None
    parts = [sentence(escape(failure.message))]
    if failure.status is not None:
        parts.append(f"DigitalOcean answered HTTP {failure.status}.")
    if failure.request_id:
        parts.append(f"DigitalOcean request_id: {code(failure.request_id)}.")
    return " ".join(parts)


def result_text(request: Request) -> str | None:
    result = request.result
    if result is None:
        return None
    return sentence(escape(result.message)) if result.message else None


def _kind(plan: Plan) -> str:
    return "Pool" if plan.action.value.startswith("pool.") else "Database"


def _when(request: Request) -> str:
    if request.state is RequestState.PENDING:
        return f"*Expires*\n{date(request.expires_at)}"
    if request.state is RequestState.EXPIRED:
        return f"*Expired*\n{date(request.expires_at)}"
    return f"*Last change*\n{date(request.finished_at or request.updated_at)}"


def card_text(request: Request) -> str:
    """The notification/fallback text of the card (escaped)."""
    return f"{request.id}: {escape(request.summary)} — {state_word(request.state)}"


def card_blocks(request: Request, *, now: datetime | None = None) -> list[Block]:
    """The approval card: what changes, the plan, who asked, approvals, expiry, buttons while pending."""
    plan = request.plan
    blocks: list[Block] = [
        HeaderBlock(text=clip(f"{request.id}: {plan.summary}", _MAX_HEADER)),
        SectionBlock(text=MarkdownTextObject(text=state_line(request))),
        SectionBlock(
            fields=[
                MarkdownTextObject(text=f"*Cluster*\n{escape(plan.cluster_name)}"),
                MarkdownTextObject(text=f"*{_kind(plan)}*\n{code(plan.target)}"),
                MarkdownTextObject(text=f"*Requested by*\n{mention(request.requester)}"),
                MarkdownTextObject(
                    text=f"*Approvals* ({len(request.approvals)} of {request.required_approvals})\n"
                    f"{mentions(tuple(request.approvers))}"
                ),
                MarkdownTextObject(text=_when(request)),
            ]
        ),
    ]
    plan_text = "*Plan*\n" + "\n".join(plan_lines(plan) or ["• (no field changes)"])
    capacity = capacity_text(plan.capacity_before, plan.capacity_after)
    if capacity:
        plan_text += f"\n{capacity}"
    if plan.backup_checked:
        latest = date(plan.latest_backup_at) if plan.latest_backup_at else "none"
        plan_text += f"\nLatest backup of {escape(plan.cluster_name)}: {latest}"
    blocks.append(SectionBlock(text=MarkdownTextObject(text=clip(plan_text, MAX_SECTION))))
    if plan.dependent_pools:
        pools = ", ".join(code(p) for p in plan.dependent_pools)
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=clip(
                        f":warning: *Pools that use this database (they would break):* {pools}", MAX_SECTION
                    )
                )
            )
        )
    if plan.warnings:
        blocks.append(
            SectionBlock(text=MarkdownTextObject(text=clip(warning_lines(plan.warnings), MAX_SECTION)))
        )
    if final := drop_is_final(plan, date(plan.latest_backup_at) if plan.latest_backup_at else None):
        blocks.append(SectionBlock(text=MarkdownTextObject(text=clip(final, MAX_SECTION))))
    outcome = failure_text(request) or result_text(request)
    if outcome and request.state.is_final:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=clip(outcome, MAX_SECTION))))
    if request.is_emergency:
        emergency = clip(emergency_text(request), MAX_SECTION)
        blocks.append(SectionBlock(text=MarkdownTextObject(text=emergency)))
    if request.state is RequestState.PENDING and request.is_emergency:
        blocks.append(ActionsBlock(block_id=ids.CARD_ACTIONS_BLOCK, elements=[stop_button(request)]))
    elif request.state is RequestState.PENDING:
        blocks.append(
            ActionsBlock(
                block_id=ids.CARD_ACTIONS_BLOCK,
                elements=[
                    ButtonElement(text="Approve", action_id=ids.APPROVE, value=request.id, style="primary"),
                    ButtonElement(text="Reject", action_id=ids.REJECT, value=request.id, style="danger"),
                    ButtonElement(
                        text="Cancel",
                        action_id=ids.CANCEL,
                        value=request.id,
                        confirm=ConfirmObject(
                            title="Cancel this request?",
                            text="Only the person who asked can cancel it.",
                            confirm="Cancel request",
                            deny="Keep it",
                        ),
                    ),
                ],
            )
        )
    else:
        blocks += revert_actions(request, now) or [DividerBlock()]
    footer = f"Request {request.id} · {state_word(request.state)}"
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=footer)]))
    return check_message(blocks)


def stop_button(request: Request) -> ButtonElement:
    return ButtonElement(
        text="Stop",
        action_id=ids.STOP,
        value=request.id,
        style="danger",
        confirm=ConfirmObject(
            title="Stop this emergency change?",
            text="It will not run; nothing will change.",
            confirm="Stop it",
            deny="Let it run",
        ),
    )


def emergency_text(request: Request) -> str:
    """The break-glass part of a card: the reason, the countdown or what came of it, and the review."""
    lines = [
        f":rotating_light: *Emergency change* by {mention(request.requester)}",
        attributed("Reason given", request.requester, request.emergency_reason or ""),
    ]
    if request.state is RequestState.PENDING and request.runs_at is not None:
        lines.append(f"Runs {date(request.runs_at)} without approval unless someone presses *Stop*.")
    if request.review_state is not None and request.review_state.value == "open":
        lines.append(":mag: *Review:* waiting for an approver to acknowledge it.")
    elif request.reviewed_by is not None:
        lines.append(f":mag: *Review:* acknowledged by {mention(request.reviewed_by)}.")
    return "\n".join(lines)


def check_message(blocks: Sequence[Block]) -> list[Block]:
    """Slack refuses a message with more than 50 blocks, and slack_sdk does not check it: we do."""
    if len(blocks) > MAX_MESSAGE_BLOCKS:
        raise ValueError(f"a message can hold {MAX_MESSAGE_BLOCKS} blocks, this one has {len(blocks)}")
    return list(blocks)
