"""A faithful, stateful, in-process stand-in for DigitalOcean's Managed Databases API.

    from bot.sandbox import create_app, SandboxState, SANDBOX_TOKEN

    state = SandboxState.seeded()          # the team's seed account (SandboxState() is empty)
    app = create_app(state)                # a Starlette ASGI app
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox")

`state.calls` records every request, `state.faults` injects failures, `state.latency` slows every answer.
Serve it on a port with `python -m bot.sandbox --port 4010` (or `bot.sandbox.server.serve_in_background`).
"""

from .app import SandboxApp, create_app
from .errors import DroppedConnection, InjectedTimeout
from .faults import Fault, FaultKind, Faults
from .model import SandboxCluster, SandboxPool, SandboxUser, UserRole
from .routes import OPERATIONS
from .seed import ANALYTICS_PG, CACHE_REDIS, ORDERS_MYSQL, PROD_PG, REPORTING_PG, STAGING_PG
from .state import SANDBOX_TOKEN, Call, SandboxState

__all__ = [
    "ANALYTICS_PG",
    "CACHE_REDIS",
    "OPERATIONS",
    "ORDERS_MYSQL",
    "PROD_PG",
    "REPORTING_PG",
    "SANDBOX_TOKEN",
    "STAGING_PG",
    "Call",
    "DroppedConnection",
    "Fault",
    "FaultKind",
    "Faults",
    "InjectedTimeout",
    "SandboxApp",
    "SandboxCluster",
    "SandboxPool",
    "SandboxState",
    "SandboxUser",
    "UserRole",
    "create_app",
]
