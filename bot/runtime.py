"""The composition root: every part of the bot built from one `Settings`, started and stopped together.

    runtime = Runtime.build(settings)
    await runtime.start()      # migrate the store, reconcile what a crash left, start the sweeps
    ...                        # serve runtime.bolt (HTTP or Socket Mode)
    await runtime.stop()       # finish in-flight work, close the clients

Nothing else in the bot constructs clients or reads settings.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import timedelta

import aiohttp
import httpx
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.digitalocean import DigitalOceanClient, RetryPolicy
from bot.metrics import Metrics
from bot.ops import DatabaseOps
from bot.sandbox import SANDBOX_TOKEN, SandboxState, create_app
from bot.slack.adapters.channels import SlackChannels
from bot.slack.adapters.notifier import SlackNotifier
from bot.slack.adapters.usergroups import SlackGroups
from bot.slack.app import build_slack_app, deps_of, make_web_client
from bot.store import Store
from bot.workflow import ApprovalEngine, Policy, load_policy

__all__ = ["SWEEP_INTERVAL", "Runtime", "make_digitalocean_client"]

log = logging.getLogger(__name__)

SWEEP_INTERVAL = 5.0  # seconds between recovery sweeps (requests a dead process or replica left)


def make_digitalocean_client(
    settings: Settings, metrics: Metrics | None = None, *, sandbox: SandboxState | None = None
) -> tuple[DigitalOceanClient, SandboxState | None]:
    """The DigitalOcean client the settings ask for; `DIGITALOCEAN_API_URL=sandbox` runs the built-in one."""
    retry = RetryPolicy(max_rate_limit_wait=settings.digitalocean_max_rate_limit_wait)
    observer = metrics.observe_do_call if metrics else None
    if settings.uses_sandbox:
        state = sandbox or SandboxState.seeded()
        transport = httpx.ASGITransport(app=create_app(state))
        client = DigitalOceanClient(
            SANDBOX_TOKEN, base_url="http://sandbox", transport=transport, retry=retry, observer=observer
        )
        return client, state
    if settings.digitalocean_token is None:
        raise ValueError("DIGITALOCEAN_TOKEN is not set")
    client = DigitalOceanClient(
        settings.digitalocean_token,
        base_url=settings.digitalocean_api_url,
        retry=retry,
        observer=observer,
    )
    return client, None


@dataclass
class Runtime:
    settings: Settings
    policy: Policy
    metrics: Metrics
    store: Store
    digitalocean: DigitalOceanClient
    ops: DatabaseOps
    slack: AsyncWebClient
    engine: ApprovalEngine
    bolt: AsyncApp
    sandbox: SandboxState | None = None
    _sweeper: asyncio.Task[None] | None = field(default=None, repr=False)
    _ticker: asyncio.Task[None] | None = field(default=None, repr=False)

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        policy: Policy | None = None,
        sandbox: SandboxState | None = None,
        team_domain: str = "",
    ) -> Runtime:
        policy = policy or load_policy(settings.chatops_policy)
        metrics = Metrics()
        store = Store.from_url(settings.database_url)
        digitalocean, sandbox = make_digitalocean_client(settings, metrics, sandbox=sandbox)
        ops = DatabaseOps(
            digitalocean,
            cluster_tag=policy.cluster_tag,
            protected_databases=frozenset(policy.protected_databases),
        )
        slack = make_web_client(settings)
        notifier = SlackNotifier(slack, notify_channels=policy.notify_channels, team_domain=team_domain)
        engine = ApprovalEngine(
            store,
            ops,
            policy,
            SlackGroups(slack),
            channels=SlackChannels(slack),
            notifier=notifier,
            metrics=metrics,
            execution_timeout=timedelta(seconds=settings.execution_timeout_seconds),
            lease=timedelta(seconds=settings.execution_lease_seconds),
        )
        bolt = build_slack_app(settings, engine, ops, client=slack, notifier=notifier)
        return cls(settings, policy, metrics, store, digitalocean, ops, slack, engine, bolt, sandbox)

    async def start(self, *, sweep_interval: float | None = None) -> None:
        """`sweep_interval` defaults to the `SWEEP_INTERVAL_SECONDS` setting."""
        if sweep_interval is None:
            sweep_interval = self.settings.sweep_interval_seconds
        # One keep-alive session for every Slack Web API call (slack_sdk otherwise opens a new connection,
        # and against slack.com a new TLS handshake, for each call).
        self.slack.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.slack.timeout))
        await self.store.migrate()
        recovered = await self.engine.recover()
        if recovered:
            log.info("recovered %d requests left unfinished by an earlier run", len(recovered))
        self._sweeper = asyncio.create_task(self._sweep_forever(sweep_interval), name="dbops-sweeper")
        self._ticker = asyncio.create_task(
            self._tick_forever(self.settings.timer_interval), name="dbops-timers"
        )

    async def stop(self) -> None:
        for task in (self._sweeper, self._ticker):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._sweeper = self._ticker = None
        await deps_of(self.bolt).drain()
        if self.slack.session is not None:
            await self.slack.session.close()
            self.slack.session = None
        await self.digitalocean.aclose()
        await self.store.close()

    async def ready(self) -> tuple[bool, str]:
        """Readiness: the store answers and the policy is loaded."""
        try:
            await self.store.ping()
        except Exception as error:  # readiness reports, it never raises
            return False, f"store unreachable: {type(error).__name__}"
        return True, f"ready ({len(self.policy.approvers)} approvers, store {self.store.dialect})"

    async def _tick_forever(self, interval: float) -> None:
        """Fire due timers (break-glass countdowns, reminders, escalations, reviews) every `interval` s
        (`TIMER_INTERVAL`); the due times are in the store, so a restart or another replica loses none."""
        while True:
            await asyncio.sleep(interval)
            try:
                fired = await self.engine.fire_due()
                if fired:
                    log.info("timers fired: %s", "; ".join(fired))
            except Exception:
                log.exception("the timer sweep failed; it will run again in %.1f s", interval)

    async def _sweep_forever(self, interval: float) -> None:
        """Recover what a crashed process left, every `interval` s (`SWEEP_INTERVAL_SECONDS`, 5 s): an
        execution whose lease (`EXECUTION_LEASE_SECONDS`, 15 s) its heartbeat no longer renews is settled
        within the lease plus one interval of the crash. Expiry is a timer row (`_tick_forever`)."""
        while True:
            await asyncio.sleep(interval)
            try:
                recovered = await self.engine.recover()
                if recovered:
                    log.info("recovered %d requests", len(recovered))
            except Exception:
                log.exception("the periodic sweep failed; it will run again in %.1f s", interval)
