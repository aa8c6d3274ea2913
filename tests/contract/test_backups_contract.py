"""`GET /v2/databases/{uuid}/backups` (`databases_list_backups`) against DigitalOcean's official spec.

The operation is in the shared spec subset (`databases-openapi.yaml`): the sandbox's answers are checked
with every other operation in `tests/unit/sandbox/test_contract.py`; here the client reads the example the
spec itself documents (`components/responses/database_backups`), and its request is one the spec allows.
Backups are not supported for Caching or Valkey clusters (the operation's description).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import respx
import yaml
from openapi_core import OpenAPI

from bot.digitalocean import Backup, DigitalOceanClient, RetryPolicy, Unprocessable
from bot.sandbox import CACHE_REDIS, PROD_PG, SANDBOX_TOKEN, SandboxState, create_app
from tests.support.openapi import spec_path, validate_request, validate_response

pytestmark = pytest.mark.contract

RATE_HEADERS = {"ratelimit-limit": "5000", "ratelimit-remaining": "4999", "ratelimit-reset": "1760000000"}


def _documented_example() -> dict[str, Any]:
    path = spec_path()
    assert path is not None
    spec = yaml.safe_load(path.read_text())
    example: dict[str, Any] = spec["components"]["responses"]["database_backups"]["content"][
        "application/json"
    ]["example"]
    return example


async def test_the_client_reads_the_documented_example(do_spec: OpenAPI) -> None:
    example = _documented_example()
    with respx.mock(base_url="https://api.digitalocean.com") as api:
        route = api.get(f"/v2/databases/{PROD_PG}/backups").mock(
            return_value=httpx.Response(200, json=example, headers=RATE_HEADERS)
        )
        async with DigitalOceanClient("t0ken", retry=RetryPolicy(attempts=1)) as do:
            backups = await do.list_backups(PROD_PG)
    request, response = route.calls.last.request, route.calls.last.response
    validate_request(do_spec, request)
    validate_response(do_spec, request, response)
    assert request.headers["Authorization"] == "Bearer t0ken"
    assert backups == [
        Backup(created_at=datetime(2019, 1, 11, 18, 42, 27, tzinfo=UTC), size_gigabytes=0.03357696),
        Backup(created_at=datetime(2019, 1, 12, 18, 42, 29, tzinfo=UTC), size_gigabytes=0.03364864),
    ]


async def test_a_caching_cluster_has_no_backups() -> None:
    state = SandboxState.seeded()
    transport = httpx.ASGITransport(app=create_app(state))
    async with DigitalOceanClient(SANDBOX_TOKEN, base_url="http://sandbox", transport=transport) as do:
        assert len(await do.list_backups(PROD_PG)) == 3
        with pytest.raises(Unprocessable):
            await do.list_backups(CACHE_REDIS)
