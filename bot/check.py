"""`python -m bot check`: is this deployment ready? One line per check, with a fix for each failure."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import ConfigError, Settings
from bot.digitalocean import DigitalOceanClient, DigitalOceanError, Forbidden, Unauthorized
from bot.logs import redact
from bot.store import Store, UnsupportedDatabaseUrl
from bot.workflow import PolicyError, load_policy

__all__ = ["CheckResult", "main_check", "report_config_error"]


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


def check_settings(settings: Settings) -> list[CheckResult]:
    problems = settings.problems_for_serve()
    stripped = [
        CheckResult("settings", True, f"{name} had spaces or a line break around it; they were removed")
        for name in settings.stripped_secrets
    ]
    if not problems:
        mode = "Socket Mode" if settings.socket_mode else "HTTP mode"
        return [CheckResult("settings", True, f"complete for {mode}"), *stripped]
    return [
        *(
            CheckResult("settings", False, problem, "set it in the environment or .env")
            for problem in problems
        ),
        *stripped,
    ]


def check_policy(settings: Settings) -> CheckResult:
    try:
        policy = load_policy(settings.chatops_policy)
    except PolicyError as error:
        return CheckResult("policy", False, str(error), "fix the file named by CHATOPS_POLICY")
    source = str(settings.chatops_policy) if settings.chatops_policy else "built-in defaults"
    return CheckResult(
        "policy",
        True,
        f"{source}: {len(policy.approvers)} approver entries, notify {len(policy.notify_channels)} channels",
    )


async def check_store(settings: Settings) -> CheckResult:
    try:
        store = Store.from_url(settings.database_url)
    except UnsupportedDatabaseUrl as error:
        return CheckResult("store", False, str(error), "use sqlite:///file.db or postgresql://user@host/db")
    try:
        await store.ping()
    except Exception as error:  # report, never raise
        return CheckResult(
            "store",
            False,
            f"cannot reach the store: {_first_line(error)}",
            "check DATABASE_URL and that the database server is up (for SQLite: that its folder exists)",
        )
    finally:
        await store.close()
    return CheckResult("store", True, f"{store.dialect} reachable")


def _first_line(error: BaseException) -> str:
    """`TypeName: first line of the message`, short, with anything token-shaped removed."""
    lines = str(error).strip().splitlines()
    text = f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__
    return redact(text if len(text) <= 200 else text[:199] + "…")


def _print(line: str) -> None:
    """Print through the same redaction as the logs: an error's text may carry a secret (an HTTP library
    quotes a header value it refuses)."""
    print(redact(line))


def report_config_error(error: ConfigError) -> int:
    """Settings that cannot even be read (a malformed PORT, a missing policy file): one line each, exit 1."""
    results = [
        CheckResult("settings", False, problem, "set it in the environment or .env")
        for problem in error.problems
    ]
    for result in results:
        _print(result.line())
    print(f"0 of {len(results)} checks passed; fix the settings above, then run the check again")
    return 1


async def main_check(settings: Settings) -> int:
    """Print one line per check; exit status 1 when any failed."""
    from bot.runtime import make_digitalocean_client

    results = [*check_settings(settings), check_policy(settings), await check_store(settings)]
    results.append(await check_slack(settings))
    try:
        client, _ = make_digitalocean_client(settings)
    except ValueError as error:
        results.append(CheckResult("DigitalOcean token", False, str(error), "set DIGITALOCEAN_TOKEN"))
    else:
        async with client:
            results.append(await check_digitalocean(settings, client))
    for result in results:
        _print(result.line())
    failed = sum(not r.ok for r in results)
    print(f"{len(results) - failed} of {len(results)} checks passed")
    return 1 if failed else 0
