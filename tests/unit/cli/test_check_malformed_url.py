"""`check` with a DATABASE_URL that cannot be parsed (a port that is not a number, as a hand-edited URL or a
password with an unescaped `:`/`@` gives): one failed line with its fix, never a traceback, and the
password it carries is never printed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.check import main_check
from bot.config import Settings, load_settings
from bot.demo.slack_standin import SlackStandIn

PASSWORD = "Sup3r-secret-pw"


def settings(tmp_path: Path, slack: SlackStandIn, *, database_url: str) -> Settings:
    return load_settings(
        _env_file=None,
        slack_bot_token="xoxb-1-2-checktoken",
        slack_signing_secret="s3cret-signing",
        slack_app_token=None,
        slack_api_url=slack.api_url,
        digitalocean_api_url="sandbox",
        digitalocean_token=None,
        database_url=database_url,
        chatops_policy=None,
    )


@pytest.fixture
async def slack() -> AsyncIterator[SlackStandIn]:
    async with SlackStandIn() as standin:
        yield standin


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://dbops:{PASSWORD}@db.internal:notaport/dbops",
        f"postgresql://dbops:{PASSWORD}@db.internal:99999999/dbops",
    ],
)
async def test_an_unparsable_database_url_is_a_failed_check_not_a_traceback(
    tmp_path: Path, slack: SlackStandIn, capsys: pytest.CaptureFixture[str], url: str
) -> None:
    code = await main_check(settings(tmp_path, slack, database_url=url))
    captured = capsys.readouterr()
    out = captured.out + captured.err
    assert code == 1
    assert "[FAIL] store:" in out
    assert PASSWORD not in out
