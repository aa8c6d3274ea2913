"""`python -m bot check` as a process: all green exits 0; wrong tokens are one line each, with a fix."""

from __future__ import annotations

from pathlib import Path

from bot.demo.slack_standin import SlackStandIn
from bot.sandbox import SANDBOX_TOKEN, SandboxState, create_app
from bot.sandbox.server import serve_in_background

from .process import BOT_TOKEN, bot_env, fake_slack_token, leaked, start

WRONG_DO_TOKEN = "dop_v1_" + "0123456789abcdef" * 4
WRONG_BOT_TOKEN = fake_slack_token()


async def test_check_all_green_exits_0(tmp_path: Path) -> None:
    sandbox = SandboxState.seeded()
    async with SlackStandIn() as slack, serve_in_background(create_app(sandbox)) as do_url:
        slack.valid_tokens = {BOT_TOKEN}
        env = bot_env(tmp_path, slack, DIGITALOCEAN_API_URL=do_url, DIGITALOCEAN_TOKEN=SANDBOX_TOKEN)
        check = await start("check", env=env, cwd=tmp_path)
        code = await check.wait()

    out = check.stdout.decode()
    assert code == 0, check.output
    assert out.splitlines() == [
        "[ok  ] settings: complete for HTTP mode",
        "[ok  ] policy: " + env["CHATOPS_POLICY"] + ": 1 approver entries, notify 1 channels",
        "[ok  ] store: sqlite reachable",
        "[ok  ] Slack bot token: authenticated as dbops in Acme",
        f"[ok  ] DigitalOcean token: 6 clusters visible on {do_url}",
        "5 of 5 checks passed",
    ]
    assert [c.operation for c in sandbox.calls] == ["list_clusters"]
    assert [c.method for c in slack.calls] == ["auth.test"]


async def test_check_reports_wrong_tokens_with_a_fix_and_exits_non_zero(tmp_path: Path) -> None:
    sandbox = SandboxState.seeded()
    async with SlackStandIn() as slack, serve_in_background(create_app(sandbox)) as do_url:
        slack.valid_tokens = {BOT_TOKEN}  # the bot is given another, revoked, token
        env = bot_env(
            tmp_path,
            slack,
            SLACK_BOT_TOKEN=WRONG_BOT_TOKEN,
            DIGITALOCEAN_API_URL=do_url,
            DIGITALOCEAN_TOKEN=WRONG_DO_TOKEN,
        )
        check = await start("check", env=env, cwd=tmp_path)
        code = await check.wait()

    out = check.stdout.decode()
    assert code == 1, check.output
    assert (
        "[FAIL] Slack bot token: Slack refused the token (invalid_auth)\n"
        "       fix: reinstall the app to your workspace and copy the Bot User OAuth Token again\n"
    ) in out
    assert (
        "[FAIL] DigitalOcean token: DigitalOcean refused the token (401)\n"
        "       fix: create a custom-scoped token with database:read, database:create, database:update and "
        "database:delete, and set it as DIGITALOCEAN_TOKEN\n"
    ) in out
    assert out.splitlines()[-1] == "3 of 5 checks passed"
    assert "Traceback" not in check.output
    assert [secret for secret in (WRONG_BOT_TOKEN, WRONG_DO_TOKEN) if secret in check.output] == []
    assert leaked(check.output) == []
    # One try each: a refused token is not retried.
    assert [(c.operation, c.status) for c in sandbox.calls] == [("list_clusters", 401)]
