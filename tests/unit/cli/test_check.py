"""`check`, in process: each failure is one line with a fix, never a traceback; the exit status says it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import respx

from bot.__main__ import main
from bot.check import main_check
from bot.config import Settings, load_settings
from bot.demo.slack_standin import SlackStandIn

BOT_TOKEN = "xoxb-1-2-checktoken"
DO_URL = "https://api.digitalocean.com"
POLICY = """
approvers: [U0LEAD1, S0DBLEADS]
actions:
  pool.create: {approvals: 1}
  pool.resize: {approvals: 1}
  pool.delete: {approvals: 1}
  db.create: {approvals: 1}
  db.drop: {approvals: 2}
"""


@pytest.fixture
async def slack() -> AsyncIterator[SlackStandIn]:
    async with SlackStandIn() as standin:
        yield standin


def settings(tmp_path: Path, slack: SlackStandIn, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "_env_file": None,
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": "s3cret-signing",
        "slack_app_token": None,
        "slack_api_url": slack.api_url,
        "digitalocean_api_url": "sandbox",
        "digitalocean_token": None,
        "database_url": f"sqlite:///{tmp_path / 'dbops.db'}",
        "chatops_policy": None,
    }
    values.update(overrides)
    return load_settings(**values)


async def test_a_token_without_the_read_scope_is_a_403_with_its_fix(
    tmp_path: Path, slack: SlackStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    with respx.mock(base_url=DO_URL) as do:
        do.get("/v2/databases").respond(
            403, json={"id": "forbidden", "message": "You do not have access for the attempted action."}
        )
        code = await main_check(
            settings(tmp_path, slack, digitalocean_api_url=DO_URL, digitalocean_token="dop_v1_" + "a" * 64)
        )
    out = capsys.readouterr().out
    assert code == 1
    assert (
        "[FAIL] DigitalOcean token: the token lacks the database:read scope (403)\n"
        "       fix: add database:read (and create/update/delete) to the token's scopes\n"
    ) in out
    assert out.splitlines()[-1] == "4 of 5 checks passed"


async def test_an_unsupported_database_url_is_one_line_with_examples(
    tmp_path: Path, slack: SlackStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await main_check(settings(tmp_path, slack, database_url="mysql://dbops@db/dbops"))
    out = capsys.readouterr().out
    assert code == 1
    assert (
        "[FAIL] store: DATABASE_URL uses 'mysql', which dbops cannot store requests in; "
        "use sqlite:///dbops.db, sqlite:////absolute/path.db or postgresql://user:password@host:5432/db.\n"
        "       fix: use sqlite:///file.db or postgresql://user@host/db\n"
    ) in out


async def test_an_unreachable_store_says_why(
    tmp_path: Path, slack: SlackStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no-such-folder" / "dbops.db"
    code = await main_check(settings(tmp_path, slack, database_url=f"sqlite:///{missing}"))
    out = capsys.readouterr().out
    assert code == 1
    assert (
        "[FAIL] store: cannot reach the store: OperationalError: (sqlite3.OperationalError) unable to open "
        "database file\n"
    ) in out


async def test_an_invalid_policy_names_the_file_and_the_line(
    tmp_path: Path, slack: SlackStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "policy.yml"
    policy.write_text("approvers: [U0LEAD1\n")
    code = await main_check(settings(tmp_path, slack, chatops_policy=policy))
    out = capsys.readouterr().out
    assert code == 1
    assert f"[FAIL] policy: The policy file {policy} is not valid YAML (line 2).\n" in out
    assert "       fix: fix the file named by CHATOPS_POLICY\n" in out


async def test_socket_mode_settings_with_a_policy_are_green(
    tmp_path: Path, slack: SlackStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "policy.yml"
    policy.write_text(POLICY)
    checked = settings(
        tmp_path, slack, slack_signing_secret=None, slack_app_token="xapp-1-A0-1-x", chatops_policy=policy
    )
    code = await main_check(checked)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "[ok  ] settings: complete for Socket Mode\n" in out
    assert f"[ok  ] policy: {policy}: 2 approver entries, notify 0 channels\n" in out
    assert "[ok  ] DigitalOcean token: 6 clusters visible on the sandbox\n" in out


def test_settings_that_cannot_be_read_are_reported_as_failed_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the checkout
    monkeypatch.setenv("CHATOPS_POLICY", str(tmp_path / "missing.yml"))
    monkeypatch.setenv("PORT", "eighty")
    code = main(["check"])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.out.splitlines() == [
        f"[FAIL] settings: CHATOPS_POLICY: no policy file at {tmp_path / 'missing.yml'}",
        "       fix: set it in the environment or .env",
        "[FAIL] settings: PORT: Input should be a valid integer, unable to parse string as an integer",
        "       fix: set it in the environment or .env",
        "0 of 2 checks passed; fix the settings above, then run the check again",
    ]
    assert "Traceback" not in captured.err


def test_serve_with_unreadable_settings_exits_2_naming_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PORT", "eighty")
    assert main(["serve"]) == 2
    assert capsys.readouterr().err == (
        "dbops cannot start, fix these settings:\n"
        "  - PORT: Input should be a valid integer, unable to parse string as an integer\n"
    )
