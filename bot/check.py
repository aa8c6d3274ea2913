"""`python -m bot check`: is this deployment ready? One line per check, with a fix for each failure."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.digitalocean import DigitalOceanClient, DigitalOceanError, Forbidden, Unauthorized

__all__ = ["CheckResult", "run_checks"]


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str
    fix: str = ""

    def line(self) -> str:
        mark = "ok  " if self.ok else "FAIL"
        text = f"[{mark}] {self.name}: {self.detail}"
        return text if self.ok or not self.fix else f"{text}\n       fix: {self.fix}"


Check = Callable[[], Awaitable[CheckResult]]


async def check_slack(settings: Settings) -> CheckResult:
    name = "Slack bot token"
    if settings.slack_bot_token is None:
        return CheckResult(
            name, False, "SLACK_BOT_TOKEN is not set", "copy the Bot User OAuth Token (xoxb-…)"
        )
    client = AsyncWebClient(
        token=settings.slack_bot_token.get_secret_value(), base_url=settings.slack_api_url
    )
    try:
        answer = await client.auth_test()
    except SlackApiError as error:
        code = error.response.get("error", "unknown_error")
        return CheckResult(
            name,
            False,
            f"Slack refused the token ({code})",
            "reinstall the app to your workspace and copy the Bot User OAuth Token again",
        )
    except Exception as error:  # network failures: say what happened, not a traceback
        return CheckResult(
            name,
            False,
            f"Slack could not be reached: {type(error).__name__}",
            f"check network access to {settings.slack_api_url}",
        )
    return CheckResult(name, True, f"authenticated as {answer.get('user')} in {answer.get('team')}")


async def check_digitalocean(settings: Settings, client: DigitalOceanClient) -> CheckResult:
    name = "DigitalOcean token"
    where = "the sandbox" if settings.uses_sandbox else settings.digitalocean_api_url
    try:
        clusters = await client.list_clusters()
    except Unauthorized:
        return CheckResult(
            name,
            False,
            "DigitalOcean refused the token (401)",
            "create a custom-scoped token with database:read, database:create, database:update and "
            "database:delete, and set it as DIGITALOCEAN_TOKEN",
        )
    except Forbidden:
        return CheckResult(
            name,
            False,
            "the token lacks the database:read scope (403)",
            "add database:read (and create/update/delete) to the token's scopes",
        )
    except DigitalOceanError as error:
        return CheckResult(
            name, False, f"GET /v2/databases failed: {error}", f"check network access to {where}"
        )
    return CheckResult(name, True, f"{len(clusters)} clusters visible on {where}")


async def run_checks(checks: list[Check]) -> list[CheckResult]:
    return [await check() for check in checks]
