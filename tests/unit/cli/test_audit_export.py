"""`python -m bot audit export`: JSON lines out; an unmigrated store gets a sentence, not a traceback."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.audit_cli import export_audit_log
from bot.config import ConfigError, Settings, load_settings
from bot.store import EventDraft, Store


def settings(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'dbops.db'}")  # type: ignore[call-arg]


async def test_an_unmigrated_store_is_told_to_migrate_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await export_audit_log(settings(tmp_path)) == 1
    assert "has no dbops tables yet: run `python -m bot migrate`" in capsys.readouterr().err


async def test_events_are_written_as_json_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = Store.from_url(settings(tmp_path).database_url)
    await store.migrate()
    for kind in ("refused", "refused"):
        await store.append_event(
            EventDraft(kind=kind, actor="U0ALICE", message="no such pool"),
            at=datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
            cluster_name="prod-pg",
        )
    await store.close()
    output = tmp_path / "audit.jsonl"

    assert await export_audit_log(settings(tmp_path), output=str(output)) == 0

    lines = [json.loads(line) for line in output.read_text().splitlines()]
    assert [(e["kind"], e["actor"], e["cluster_name"]) for e in lines] == [
        ("refused", "U0ALICE", "prod-pg")
    ] * 2
    assert "exported 2 audit event(s)" in capsys.readouterr().err


def test_a_missing_policy_file_is_named_without_pydantic_s_prefix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(_env_file=None, chatops_policy=tmp_path / "nope.yml")
    assert error.value.problems == [f"CHATOPS_POLICY: no policy file at {tmp_path / 'nope.yml'}"]
