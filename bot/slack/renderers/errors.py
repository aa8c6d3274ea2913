"""The one error → Slack reply mapping: what a person is told when the engine or the service layer refuses.

The errors carry data (channel IDs, policy keys, people's names); this module alone turns them into
mrkdwn: channel IDs become links, policy keys code, everything else is escaped. Every listener, form
and notice that shows a refusal asks `reply_for` (mrkdwn) or `plain_reply_for` (a form field's error,
which Slack shows as plain text).
"""

from __future__ import annotations

from bot.ops.errors import OpsError
from bot.slack.renderers import messages
from bot.slack.renderers.blocks import sentence
from bot.slack.renderers.mrkdwn import channel_link, clip, code, escape
from bot.workflow import (
    AuditNotAllowed,
    ChannelNotAllowed,
    EmergencyRefused,
    NotIncidentChannel,
    WorkflowError,
)

__all__ = ["FORM_FAILED", "form_failure_text", "plain_reply_for", "refusal", "reply_for"]

Refusal = WorkflowError | OpsError
FORM_FAILED = (
    "Something went wrong on the bot's side while preparing this form (error {error_id}); "
    "the details are in its log."
)


def reply_for(error: Refusal) -> str:
    """One sentence in mrkdwn for `error`, safe to show as it is."""
    match error:
        case ChannelNotAllowed():
            where = ", ".join(channel_link(c) for c in error.allowed)
            return f"{escape(error.what)} are not accepted in this channel; ask in {where}."
        case NotIncidentChannel():
            where = ", ".join(channel_link(c) for c in error.channels)
            return f"Emergency changes are accepted only in incident channels ({where})."
        case AuditNotAllowed():
            return (
                f"Only the people the policy names in {code('audit_readers')} can read audit histories; "
                "ask one of them."
            )
        case EmergencyRefused(setting=str(setting)):
            return _with_code(sentence(str(error)), setting)
        case _:
            return escape(sentence(str(error)))


def plain_reply_for(error: Refusal) -> str:
    """One plain-text sentence for `error` (Slack shows a form field's error without mrkdwn)."""
    return sentence(str(error))


def refusal(error: Refusal) -> str:
    """A refusal as a whole message: the warning sign and `reply_for`, cut to Slack's 4,000 characters (it
    may echo a 10,000-character name)."""
    return clip(messages.REFUSED.format(reason=reply_for(error)))


def form_failure_text(error: BaseException, error_id: str) -> str:
    """What a form that could not be built or rebuilt says (plain text), in one sentence: DigitalOcean's
    failure as the service layer words it, anything else as the bot's own with the id its log line
    carries."""
    if isinstance(error, OpsError):
        return messages.LOAD_FAILED.format(reason=plain_reply_for(error))
    return FORM_FAILED.format(error_id=error_id)


def _with_code(text: str, setting: str) -> str:
    """`text` escaped, with the policy key `setting` shown as code where it is named."""
    before, found, after = text.partition(setting)
    if not found:
        return escape(text)
    return f"{escape(before)}{code(setting)}{escape(after)}"
