"""Secrets as people paste them (a secret file's trailing newline, spaces around, a line break inside):
`check`, `serve` and `demo` as processes; nothing any of them prints contains a secret, and `check` says
what it removed."""

from __future__ import annotations

from pathlib import Path

import httpx

from bot.demo.slack_standin import SlackStandIn
from bot.sandbox import SANDBOX_TOKEN, SandboxState, create_app
from bot.sandbox.server import serve_in_background

from .process import BOT_TOKEN, SIGNING_SECRET, bot_env, card_with_buttons, serving, slash_command, start

ODD = {
    "SLACK_BOT_TOKEN": BOT_TOKEN + "\n",
    "SLACK_SIGNING_SECRET": " " + SIGNING_SECRET + "\r\n",
    "DIGITALOCEAN_TOKEN": SANDBOX_TOKEN + "\n",
}
WRONG_ODD_TOKEN = "hunter2-not-token-shaped-at-all"  # nothing like a token: only its exact value finds it


def secrets_in(text: str) -> list[str]:
    values = (BOT_TOKEN, SIGNING_SECRET, SANDBOX_TOKEN, WRONG_ODD_TOKEN, "first-half", "second-half")
    return [value for value in values if value in text]


async def test_check_strips_secrets_says_so_and_prints_none_of_them(tmp_path: Path) -> None:
    sandbox = SandboxState.seeded()
    async with SlackStandIn() as slack, serve_in_background(create_app(sandbox)) as do_url:
        slack.valid_tokens = {BOT_TOKEN}
        env = bot_env(tmp_path, slack, DIGITALOCEAN_API_URL=do_url, **ODD)
        check = await start("check", env=env, cwd=tmp_path)
        code = await check.wait()

        wrong = await start("check", env={**env, "DIGITALOCEAN_TOKEN": WRONG_ODD_TOKEN + " \n"}, cwd=tmp_path)
        wrong_code = await wrong.wait()

        inside = await start(
            "check", env={**env, "DIGITALOCEAN_TOKEN": "first-half\nsecond-half"}, cwd=tmp_path
        )
        inside_code = await inside.wait()

    lines = check.stdout.decode().splitlines()
    assert code == 0, check.output
    for name in ODD:
        assert f"[ok  ] settings: {name} had spaces or a line break around it; they were removed" in lines
    assert f"[ok  ] DigitalOcean token: 6 clusters visible on {do_url}" in lines
    assert "[ok  ] Slack bot token: authenticated as dbops in Acme" in lines
    assert secrets_in(check.output) == []

    assert wrong_code == 1, wrong.output
    assert "[FAIL] DigitalOcean token: DigitalOcean refused the token (401)" in wrong.stdout.decode()
    assert secrets_in(wrong.output) == []

    assert inside_code == 1, inside.output
    assert "DIGITALOCEAN_TOKEN: contains a space, line break or control character inside it" in inside.output
    assert secrets_in(inside.output) == []
    assert "Traceback" not in check.output + wrong.output + inside.output


async def test_serve_and_demo_with_odd_secrets_work_and_print_none_of_them(tmp_path: Path) -> None:
    sandbox = SandboxState.seeded()
    async with SlackStandIn() as slack, serve_in_background(create_app(sandbox)) as do_url:
        slack.valid_tokens = {BOT_TOKEN}
        env = bot_env(tmp_path, slack, DIGITALOCEAN_API_URL=do_url, **ODD)
        async with (
            serving(env, tmp_path) as bot,
            httpx.AsyncClient(base_url=bot.base_url, timeout=10) as http,
        ):
            # signed with the secret as Slack knows it (without the newline): accepted
            answer = await slash_command(
                http, slack, "/pool", "create prod-pg api db=app size=15 mode=transaction user=app"
            )
            assert answer.status_code == 200
            card = await card_with_buttons(slack, env)
            assert card.text.endswith(": create pool api on prod-pg — pending")
            assert await bot.terminate() == 0
        demo = await start("demo", env=env, cwd=tmp_path)
        assert await demo.wait() == 0, demo.output

    assert secrets_in(bot.output) == []
    assert secrets_in(demo.output) == []
    warned = [line["message"] for line in bot.log_lines() if line["level"] == "warning"]
    assert "DIGITALOCEAN_TOKEN had spaces or a line break around it; they were removed" in warned
