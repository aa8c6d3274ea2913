"""`GET /v2/databases/{uuid}/backups` is not in the shared spec subset (`databases-openapi.yaml`), so it is
checked against the shape DigitalOcean publishes in its public spec (digitalocean/openapi:
`specification/resources/databases/databases_list_backups.yml` and `responses/database_backups.yml`):
`{"backups": [{"created_at": date-time, "size_gigabytes": number}], ...}`, `backups` required; backups
are not supported for Redis or Valkey clusters.
"""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import jsonschema
import pytest
import respx

from bot.digitalocean import Backup, DigitalOceanClient, RetryPolicy, Unprocessable
from bot.sandbox import CACHE_REDIS, PROD_PG, SANDBOX_TOKEN, SandboxState, create_app

pytestmark = pytest.mark.contract

# DigitalOcean's documented answer (responses/database_backups.yml), written as JSON Schema.
BACKUPS_SCHEMA = {
    "type": "object",
    "required": ["backups"],
    "properties": {
        "backups": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["created_at", "size_gigabytes"],
                "properties": {
                    "created_at": {"type": "string", "format": "date-time"},
                    "size_gigabytes": {"type": "number"},
                },
            },
        },
        "scheduled_backup_time": {"type": "object"},
        "backup_progress": {"type": "string"},
    },
}
DOCUMENTED_EXAMPLE = {
    "backups": [
        {"created_at": "2019-01-11T18:42:27Z", "size_gigabytes": 0.03357696},
        {"created_at": "2019-01-12T18:42:29Z", "size_gigabytes": 0.03364864},
    ],
    "scheduled_backup_time": {"backup_hour": 20, "backup_minute": 40, "backup_interval_hours": 24},
    "backup_progress": "36",
}


def _validate(body: object) -> None:
    jsonschema.validate(body, BACKUPS_SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


async def test_the_client_reads_the_documented_example() -> None:
    _validate(DOCUMENTED_EXAMPLE)
    with respx.mock(base_url="https://api.digitalocean.com") as api:
        route = api.get(f"/v2/databases/{PROD_PG}/backups").mock(
            return_value=httpx.Response(200, json=DOCUMENTED_EXAMPLE)
        )
        async with DigitalOceanClient("t0ken", retry=RetryPolicy(attempts=1)) as do:
            backups = await do.list_backups(PROD_PG)
    assert route.calls.last.request.headers["Authorization"] == "Bearer t0ken"
    assert backups == [
        Backup(created_at=datetime(2019, 1, 11, 18, 42, 27, tzinfo=UTC), size_gigabytes=0.03357696),
        Backup(created_at=datetime(2019, 1, 12, 18, 42, 29, tzinfo=UTC), size_gigabytes=0.03364864),
    ]


async def test_the_sandbox_answers_in_the_documented_shape() -> None:
    state = SandboxState.seeded()
    transport = httpx.ASGITransport(app=create_app(state))
    headers = {"Authorization": f"Bearer {SANDBOX_TOKEN}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox", headers=headers) as http:
        ok = await http.get(f"/v2/databases/{PROD_PG}/backups")
        redis = await http.get(f"/v2/databases/{CACHE_REDIS}/backups")
    assert ok.status_code == 200
    _validate(ok.json())
    assert len(ok.json()["backups"]) == 3
    assert redis.status_code == 422
    assert set(redis.json()) == {"id", "message", "request_id"}
    async with DigitalOceanClient(SANDBOX_TOKEN, base_url="http://sandbox", transport=transport) as do:
        with pytest.raises(Unprocessable):
            await do.list_backups(CACHE_REDIS)
