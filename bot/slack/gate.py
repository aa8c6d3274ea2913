"""The gate in front of `POST /slack/events`: size and signature checked on the raw bytes, before any parsing.

A pure ASGI middleware. It refuses a body larger than `max_body` (at once from `Content-Length`, or as soon as
the streamed chunks pass it) with 413, and a request whose `X-Slack-Signature` is not Slack's v0 HMAC of
`v0:{timestamp}:{body}` with a timestamp within 5 minutes (slack_sdk's `SignatureVerifier`) with 401. Only a
signed body within the limit reaches bolt, which parses it; a signed body bolt cannot parse, or fails on
before it answers, gets 400.
Other paths pass untouched.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

from slack_sdk.signature import SignatureVerifier

__all__ = ["MAX_BODY_BYTES", "SlackGate"]

log = logging.getLogger(__name__)

# Slack's largest payload is a view_submission of a big modal: a view is at most 250 kB of JSON, about 750 kB
# once form-encoded. 1 MiB is above that, and small enough that a refused body costs next to nothing.
MAX_BODY_BYTES = 1024 * 1024

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class _TooLarge(Exception):
    pass


class _Disconnected(Exception):
    pass


class SlackGate:
    def __init__(
        self, app: ASGIApp, *, path: str, signing_secret: str, max_body: int = MAX_BODY_BYTES
    ) -> None:
        self.app = app
        self.path = path
        self.max_body = max_body
        self.verifier = SignatureVerifier(signing_secret)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        declared = headers.get("content-length", "")
        if declared and not declared.isdigit():
            await _answer(send, 400, "malformed Content-Length")
            return
        if declared and int(declared) > self.max_body:
            log.warning(
                "refused a Slack request declaring %s bytes (the limit is %d)", declared, self.max_body
            )
            await _answer(send, 413, "request body too large")
            return
        try:
            body = await self._read(receive)
        except _TooLarge:
            log.warning("refused a Slack request body over %d bytes", self.max_body)
            await _answer(send, 413, "request body too large")
            return
        except _Disconnected:
            return
        try:  # Slack sends UTF-8; slack_sdk's verifier would raise on anything else
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            await _answer(send, 400, "request body is not UTF-8")
            return
        if not self._signed(text, headers):
            if _is_ssl_check(text):  # Slack's certificate check carries no signature and asks nothing
                await _answer(send, 200, "")
                return
            log.warning("refused a request to %s without a valid Slack signature", self.path)
            await _answer(send, 401, "invalid request")
            return
        if not _parsable(text, headers.get("content-type", "")):
            log.warning("refused a signed Slack request whose body cannot be parsed")
            await _answer(send, 400, "malformed request body")
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, _replay(body, receive), tracked)
        except Exception as error:
            if started:
                raise
            # bolt parses a signed body it does not understand by raising (a `view` without a `type`, a
            # command without a user): a malformed request, not a server error
            log.warning("answered 400 to a signed Slack request bolt could not handle: %r", error)
            await _answer(send, 400, "malformed request body")

    async def _read(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Disconnected
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise _TooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    def _signed(self, body: str, headers: dict[str, str]) -> bool:
        timestamp = headers.get("x-slack-request-timestamp", "")
        signature = headers.get("x-slack-signature", "")
        if not timestamp.isdigit() or not signature:
            return False
        return self.verifier.is_valid(body=body, timestamp=timestamp, signature=signature)


def _is_ssl_check(body: str) -> bool:
    return len(body) <= 512 and "ssl_check=1" in body.split("&")


def _parsable(text: str, content_type: str) -> bool:
    """Whether bolt can parse the body: a JSON object where it says JSON, or where a form carries a
    `payload` field (bolt reads both as a mapping)."""
    try:
        if content_type.startswith("application/json"):
            return isinstance(json.loads(text), dict)
        if text.startswith("payload="):
            return isinstance(json.loads(parse_qs(text).get("payload", ["{}"])[0]), dict)
    except ValueError:
        return False
    return True


def _replay(body: bytes, receive_more: Receive) -> Receive:
    """The body, read once already, handed on; then the client's own messages (its disconnect)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return await receive_more()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _answer(send: Send, status: int, text: str) -> None:
    body = json.dumps({"error": text}).encode() if text else b""
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
