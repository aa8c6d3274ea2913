"""`python -m bot.sandbox`: which app it serves, where, and with which token."""

from __future__ import annotations

from typing import Any

import pytest

import bot.sandbox.__main__ as entry
from bot.sandbox import SandboxApp


def test_main_serves_the_seeded_sandbox(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    served: dict[str, Any] = {}

    def fake_serve(app: SandboxApp, **kwargs: Any) -> None:
        served.update(app=app, **kwargs)

    monkeypatch.setattr(entry, "serve", fake_serve)
    entry.main(["--port", "4010", "--token", "demo-token", "--latency", "0.2"])
    app = served["app"]
    assert (served["host"], served["port"], served["log_level"]) == ("127.0.0.1", 4010, "info")
    assert app.sandbox.token == "demo-token"
    assert app.sandbox.latency == 0.2
    assert len(app.sandbox.clusters) == 6
    greeting = capsys.readouterr().out
    assert "http://127.0.0.1:4010" in greeting
    assert "demo-token" not in greeting


def test_main_can_start_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    served: dict[str, Any] = {}
    monkeypatch.setattr(entry, "serve", lambda app, **kwargs: served.update(app=app))
    entry.main(["--empty"])
    assert served["app"].sandbox.clusters == {}
