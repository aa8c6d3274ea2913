"""`python -m bot serve` in HTTP mode, as a real process: health, readiness, metrics, a slash command end to
end against the sandbox, structured logs without secrets, and a clean exit on SIGTERM."""

from __future__ import annotations

from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from bot.demo.slack_standin import SlackStandIn
from tests.support.team import INCIDENTS

from .process import approve, bot_env, card_with_buttons, leaked, serving, slash_command, thread_says


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Prometheus text → {(sample name, labels): value}."""
    found: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(metrics: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return metrics.get((name, frozenset(labels.items())), 0.0)


async def test_serve_handles_a_signed_command_end_to_end_and_stops_cleanly(tmp_path: Path) -> None:
    async with SlackStandIn() as slack:
        env = bot_env(tmp_path, slack)
        async with (
            serving(env, tmp_path) as bot,
            httpx.AsyncClient(base_url=bot.base_url, timeout=10) as http,
        ):
            health = await http.get("/healthz")
            assert (health.status_code, health.json()) == (200, {"status": "ok"})
            ready = await http.get("/readyz")
            assert ready.status_code == 200
            assert ready.json()["ready"] is True

            # Nothing happened yet: the request counters are empty.
            before = samples((await http.get("/metrics")).text)
            assert value(before, "dbops_requests_total", action="pool.create", state="pending") == 0

            answer = await slash_command(
                http, slack, "/pool", "create prod-pg api db=app size=15 mode=transaction user=app"
            )
            assert answer.status_code == 200
            card = await card_with_buttons(slack, env)
            assert card.text.endswith(": create pool api on prod-pg — pending")
            request_id = card.text.split(":", 1)[0]

            clicked = await approve(http, card)
            assert clicked.status_code == 200
            thread = await thread_says(slack, card, "The change succeeded")
            assert any("Created pool api on prod-pg: transaction, size 15, database app" in t for t in thread)
            await slack.wait_for(lambda s: len(s.top_level(INCIDENTS)) == 1, what="the incident notice")

            # The change is real: the sandbox the bot runs now lists the pool.
            shown = await slash_command(http, slack, "/pool", "show prod-pg api")
            assert shown.status_code == 200
            await slack.wait_for(lambda s: len(s.webhooks) == 1, what="the answer to /pool show")
            assert slack.webhooks[0][1]["text"] == "Pool api on prod-pg: size 15."

            metrics_answer = await http.get("/metrics")
            assert metrics_answer.headers["content-type"].startswith("text/plain")
            metrics = samples(metrics_answer.text)
            for state in ("pending", "approved", "executing", "succeeded"):
                assert value(metrics, "dbops_requests_total", action="pool.create", state=state) == 1, state
            assert value(metrics, "dbops_digitalocean_calls_total", operation="add_pool", status="201") == 1
            assert value(metrics, "dbops_slack_ack_seconds_count", kind="command") == 2
            assert value(metrics, "dbops_slack_ack_seconds_count", kind="action") == 1
            assert value(metrics, "dbops_execution_seconds_count", action="pool.create") == 1

            code = await bot.terminate()

        assert code == 0, bot.output
        assert leaked(bot.output) == []

        # Structured logs: every stderr line is a JSON object; one line per transition, with the request id.
        lines = bot.log_lines()
        transitions = [line for line in lines if line.get("request_id") == request_id]
        assert [(line["event"], line["state"]) for line in transitions] == [
            ("submitted", "pending"),
            ("approval", "approved"),
            ("approved", "approved"),
            ("executing", "executing"),
            ("executed", "succeeded"),
        ]
        assert (
            transitions[0]["message"] == "U0ALICE asked to create pool api on prod-pg (1 approval(s) needed)."
        )
        assert all(
            line["level"] == "info" and line["logger"] == "bot.workflow.engine" for line in transitions
        )
        assert "Application shutdown complete." in [line["message"] for line in lines]
