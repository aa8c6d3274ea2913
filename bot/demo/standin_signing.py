"""Slack → bot: the signature headers Slack sends with every HTTP request."""

from __future__ import annotations

import hashlib
import hmac
import time

__all__ = ["sign"]


def sign(body: str, secret: str, *, timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack sends with `body`: v0 HMAC-SHA256 over `v0:{timestamp}:{raw body}`."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest}",
    }
