"""`python -m bot serve` as a process: readiness follows the store, and SIGTERM lets an execution finish."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import asyncpg
import httpx
import pytest

from bot.demo.slack_standin import SlackStandIn
from bot.sandbox import SANDBOX_TOKEN, SandboxState, create_app
from bot.sandbox.server import serve_in_background
from tests.unit.store.backends import _libpq, create_database, drop_database, postgres_url

from .process import approve, bot_env, card_with_buttons, leaked, serving, slash_command, thread_says


class Gate:
    """The sandbox's sleep: a delayed answer waits until the test opens the gate (no wall-clock time)."""

    def __init__(self) -> None:
        self.arrived = asyncio.Event()
        self.open = asyncio.Event()

    async def __call__(self, _seconds: float) -> None:
        self.arrived.set()
        await self.open.wait()


@pytest.mark.postgres
async def test_readyz_is_503_while_the_store_is_unreachable_and_recovers(tmp_path: Path) -> None:
    database = await create_database(postgres_url(), prefix="dbops_serve")
    admin = await asyncpg.connect(_libpq(database.set(database="postgres")))
    try:
        async with SlackStandIn() as slack:
            env = bot_env(tmp_path, slack, DATABASE_URL=_libpq(database))
            async with (
                serving(env, tmp_path) as bot,
                httpx.AsyncClient(base_url=bot.base_url, timeout=10) as http,
            ):
                ready = await http.get("/readyz")
                assert ready.status_code == 200
                assert ready.json()["detail"].endswith("store postgresql)")

                # The database stops taking connections and the bot's are cut, as in a failover.
                await admin.execute(f'ALTER DATABASE "{database.database}" ALLOW_CONNECTIONS false')
                await admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
                    database.database,
                )
                down = await http.get("/readyz")
                assert down.status_code == 503
                assert down.json()["ready"] is False
                assert down.json()["detail"].startswith("store unreachable: ")
                # Liveness is not readiness: the process is fine, it must not be restarted for this.
                assert (await http.get("/healthz")).status_code == 200

                await admin.execute(f'ALTER DATABASE "{database.database}" ALLOW_CONNECTIONS true')
                assert (await http.get("/readyz")).status_code == 200
                assert await bot.terminate() == 0
            assert leaked(bot.output) == []
    finally:
        await admin.execute(f'ALTER DATABASE "{database.database}" ALLOW_CONNECTIONS true')
        await admin.close()
        await drop_database(database)


async def test_sigterm_lets_an_in_flight_execution_finish_exactly_once(tmp_path: Path) -> None:
    gate = Gate()
    sandbox = SandboxState.seeded(sleep=gate)
    async with SlackStandIn() as slack, serve_in_background(create_app(sandbox)) as do_url:
        env = bot_env(tmp_path, slack, DIGITALOCEAN_API_URL=do_url, DIGITALOCEAN_TOKEN=SANDBOX_TOKEN)
        async with (
            serving(env, tmp_path) as bot,
            httpx.AsyncClient(base_url=bot.base_url, timeout=10) as http,
        ):
            await slash_command(http, slack, "/pool", "resize staging-pg staging-web size=12")
            card = await card_with_buttons(slack, env)
            # DigitalOcean takes its time with the resize: the bot is asked to stop while it is in flight.
            sandbox.faults.latency(1.0, operation="update_pool")
            await approve(http, card)
            await asyncio.wait_for(gate.arrived.wait(), 10)

            bot.process.send_signal(signal.SIGTERM)
            await bot.wait_for_output("Waiting for application shutdown.")
            assert bot.process.returncode is None
            assert sandbox.calls_for("update_pool") == []
            gate.open.set()  # DigitalOcean answers only now
            code = await bot.wait()

        assert code == 0, bot.output
        # The execution finished before the process left, and its result reached the thread.
        assert [(c.method, c.status) for c in sandbox.calls if c.operation == "update_pool"] == [("PUT", 204)]
        thread = await thread_says(slack, card, "The change succeeded")
        assert any("staging-web" in line for line in thread)
        assert sandbox.find_cluster("staging-pg").pools["staging-web"].size == 12
