"""Bearer auth, token rotation, the rate-limit headers and request ids on every answer, the call log."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from bot.sandbox import PROD_PG, STAGING_PG, SandboxState, create_app
from tests.support.clocks import START, FakeClock

UNAUTHORIZED = {"id": "unauthorized", "message": "Unable to authenticate you."}


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "sandbox-token"}, {"Authorization": "Bearer "}],
)
async def test_missing_or_wrong_token_is_401(anonymous: httpx.AsyncClient, headers: dict[str, str]) -> None:
    response = await anonymous.get("/v2/databases", headers=headers)
    assert response.status_code == 401
    body = response.json()
    assert {"id": body["id"], "message": body["message"]} == UNAUTHORIZED
    assert body["request_id"] == response.headers["x-request-id"]
    assert response.headers["ratelimit-limit"] == "5000"


async def test_unauthorized_writes_change_nothing(anonymous: httpx.AsyncClient, state: SandboxState) -> None:
    response = await anonymous.delete(f"/v2/databases/{PROD_PG}/pools/web")
    assert response.status_code == 401
    assert "web" in state.find_cluster("prod-pg").pools


async def test_rotate_token(http: httpx.AsyncClient, state: SandboxState) -> None:
    assert (await http.get("/v2/databases")).status_code == 200
    state.rotate_token("rotated-token")
    assert (await http.get("/v2/databases")).status_code == 401
    fresh = await http.get("/v2/databases", headers={"Authorization": "Bearer rotated-token"})
    assert fresh.status_code == 200


async def test_every_answer_carries_rate_limit_headers_and_a_request_id(
    http: httpx.AsyncClient, clock: FakeClock
) -> None:
    answers = [
        await http.get("/v2/databases"),
        await http.get("/v2/databases/nope"),
        await http.post(f"/v2/databases/{PROD_PG}/pools", json={}),
        await http.delete(f"/v2/databases/{PROD_PG}/pools/reports"),
    ]
    assert [a.status_code for a in answers] == [200, 404, 422, 204]
    assert [a.headers["ratelimit-remaining"] for a in answers] == ["4999", "4998", "4997", "4996"]
    # every request counts for an hour: the reset is when the oldest one expires
    assert {a.headers["ratelimit-reset"] for a in answers} == {str(int(START + 3600))}
    ids = [a.headers["x-request-id"] for a in answers]
    assert len(set(ids)) == 4
    assert all(len(i) == 36 for i in ids)


async def test_requests_older_than_an_hour_stop_counting(http: httpx.AsyncClient, clock: FakeClock) -> None:
    await http.get("/v2/databases")
    clock.now += 1800
    await http.get("/v2/databases")
    clock.now += 1801  # the first request has expired
    response = await http.get("/v2/databases")
    assert response.headers["ratelimit-remaining"] == "4998"
    assert response.headers["ratelimit-reset"] == str(int(START + 1800 + 3600))


async def test_enforced_rate_limit_answers_429_until_reset(clock: FakeClock) -> None:
    state = SandboxState.seeded(clock=clock, rate_limit=2, enforce_rate_limit=True)
    transport = httpx.ASGITransport(app=create_app(state))
    headers = {"Authorization": "Bearer sandbox-token"}
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox", headers=headers) as http:
        assert (await http.get("/v2/databases")).status_code == 200
        assert (await http.get("/v2/databases")).status_code == 200
        refused = await http.get("/v2/databases")
        assert refused.status_code == 429
        assert refused.json()["id"] == "too_many_requests"
        assert refused.headers["ratelimit-remaining"] == "0"
        assert refused.headers["ratelimit-reset"] == str(int(START + 3600))
        clock.now = START + 3600
        assert (await http.get("/v2/databases")).status_code == 200


async def test_calls_are_recorded_per_operation(http: httpx.AsyncClient, state: SandboxState) -> None:
    await http.get("/v2/databases", params={"tag_name": "production"})
    await http.get(f"/v2/databases/{PROD_PG}/pools")
    await http.put(
        f"/v2/databases/{PROD_PG}/pools/web",
        json={"mode": "transaction", "size": 21, "db": "app", "user": "app"},
    )
    await http.get(f"/v2/databases/{PROD_PG}/pools/missing")
    assert [(c.method, c.operation, c.status) for c in state.calls] == [
        ("GET", "list_clusters", 200),
        ("GET", "list_pools", 200),
        ("PUT", "update_pool", 204),
        ("GET", "get_pool", 404),
    ]
    assert state.calls[0].query == "tag_name=production"
    assert state.calls[2].path == f"/v2/databases/{PROD_PG}/pools/web"
    assert state.call_counts() == {"list_clusters": 1, "list_pools": 1, "update_pool": 1, "get_pool": 1}
    assert [c.status for c in state.calls_for("get_pool")] == [404]
    state.reset_calls()
    assert state.calls == []


async def test_concurrent_writes_never_exceed_capacity(http: httpx.AsyncClient, state: SandboxState) -> None:
    # staging-pg: 22 connections, 10 taken; 30 concurrent requests for 2 each → exactly 6 succeed.
    body = {"mode": "transaction", "size": 2, "db": "app"}
    answers = await asyncio.gather(
        *(
            http.post(f"/v2/databases/{STAGING_PG}/pools", json={"name": f"p{i:02d}", **body})
            for i in range(30)
        )
    )
    assert sorted(a.status_code for a in answers) == [201] * 6 + [422] * 24
    assert state.find_cluster("staging-pg").pool_connections() == 22


def test_state_repr_never_shows_the_token() -> None:
    state = SandboxState.seeded()
    state.rotate_token("super-secret-rotated")
    assert "super-secret" not in repr(state)
    assert repr(state) == "SandboxState(clusters=6, calls=0, faults=0)"


def test_empty_state_has_no_clusters() -> None:
    assert SandboxState().clusters == {}
