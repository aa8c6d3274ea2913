"""The one error → Slack reply mapping: channel IDs as links, policy keys as code, untrusted text escaped."""

from __future__ import annotations

from bot.ops.errors import OpsError
from bot.slack.renderers.errors import form_failure_text, plain_reply_for, refusal, reply_for
from bot.workflow import (
    AuditNotAllowed,
    ChannelNotAllowed,
    EmergencyRefused,
    NotIncidentChannel,
    RequestNotFound,
    RequestRefused,
)


def test_a_channel_refusal_links_the_policy_channels() -> None:
    refused = ChannelNotAllowed("C0ELSE", ["C0OPS", "G0PRIV"], what="Commands")
    assert reply_for(refused) == "Commands are not accepted in this channel; ask in <#C0OPS>, <#G0PRIV>."
    assert refusal(refused) == ":warning: " + reply_for(refused)
    assert "<" not in plain_reply_for(refused)


def test_incident_channel_ids_are_links_and_name_patterns_are_text() -> None:
    refused = NotIncidentChannel(["C0INC", "inc-*", "<!channel>"])
    assert reply_for(refused) == (
        "Emergency changes are accepted only in incident channels (<#C0INC>, #inc-*, #&lt;!channel&gt;)."
    )


def test_policy_keys_are_code() -> None:
    assert "names in `audit_readers` can read" in reply_for(AuditNotAllowed("U0MALLORY"))
    refused = EmergencyRefused("The policy's channels do not include this channel.", setting="channels")
    assert reply_for(refused) == "The policy's `channels` do not include this channel."


def test_names_from_people_and_digitalocean_are_escaped() -> None:
    assert reply_for(RequestNotFound("<@U0ALL>")) == "There is no request &lt;@U0ALL&gt;."
    assert reply_for(OpsError("cluster p & <b> not found")) == "Cluster p &amp; &lt;b&gt; not found."
    assert reply_for(RequestRefused("size <5> is too small")) == "Size &lt;5&gt; is too small."


def test_a_long_refusal_is_cut_to_slacks_limit() -> None:
    assert len(refusal(OpsError("x" * 10_000))) <= 4_000


def test_a_form_failure_names_digitalocean_or_the_log_line() -> None:
    assert form_failure_text(OpsError("timed out"), "1a2b3c4d").endswith("Timed out.")
    assert "(error 1a2b3c4d)" in form_failure_text(RuntimeError("bug"), "1a2b3c4d")
