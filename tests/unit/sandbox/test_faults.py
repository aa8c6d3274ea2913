"""Fault injection: what a client sees for each armed fault, and which writes still happened."""

from __future__ import annotations

import httpx
import pytest

from bot.sandbox import PROD_PG, DroppedConnection, FaultKind, InjectedTimeout, SandboxState
from bot.sandbox.faults import DEFAULT_HTML_502
from tests.support.clocks import START, FakeClock, RecordedSleep

POOLS = f"/v2/databases/{PROD_PG}/pools"
NEW_POOL = {"name": "batch", "mode": "transaction", "size": 5, "db": "app"}


async def test_rate_limit_names_the_reset_time(http: httpx.AsyncClient, state: SandboxState) -> None:
    state.faults.rate_limit(reset_in=30)
    response = await http.get("/v2/databases")
    assert response.status_code == 429
    assert response.json()["id"] == "too_many_requests"
    assert response.json()["message"] == "API Rate limit exceeded."
    assert response.headers["ratelimit-remaining"] == "0"
    assert response.headers["ratelimit-reset"] == str(int(START + 30))
    assert "retry-after" not in response.headers
    assert (await http.get("/v2/databases")).status_code == 200  # used up after one hit


async def test_burst_rate_limit_adds_retry_after(http: httpx.AsyncClient, state: SandboxState) -> None:
    state.faults.rate_limit(reset_in=600, retry_after=7)
    response = await http.get("/v2/databases")
    assert response.headers["retry-after"] == "7"


@pytest.mark.parametrize(("status", "error_id"), [(500, "server_error"), (503, "service_unavailable")])
async def test_server_errors_carry_digitalocean_json(
    http: httpx.AsyncClient, state: SandboxState, status: int, error_id: str
) -> None:
    state.faults.server_error(status, operation="add_pool")
    response = await http.post(POOLS, json=NEW_POOL)
    assert response.status_code == status
    assert response.json()["id"] == error_id
    assert response.json()["request_id"] == response.headers["x-request-id"]
    assert "batch" not in state.find_cluster("prod-pg").pools  # not applied
    assert (await http.post(POOLS, json=NEW_POOL)).status_code == 201


async def test_fault_for_n_requests_then_gone(http: httpx.AsyncClient, state: SandboxState) -> None:
    fault = state.faults.server_error(502, times=2)
    statuses = [(await http.get("/v2/databases")).status_code for _ in range(3)]
    assert statuses == [502, 502, 200]
    assert fault.hits == 2
    assert len(state.faults) == 0


async def test_fault_forever(http: httpx.AsyncClient, state: SandboxState) -> None:
    state.faults.server_error(500, times=None)
    statuses = [(await http.get("/v2/databases")).status_code for _ in range(5)]
    assert statuses == [500] * 5
    state.faults.clear()
    assert (await http.get("/v2/databases")).status_code == 200


async def test_faults_match_by_method_and_path(http: httpx.AsyncClient, state: SandboxState) -> None:
    state.faults.server_error(500, method="PUT", path="/v2/databases/*/pools/*", times=None)
    assert (await http.get(f"{POOLS}/web")).status_code == 200
    assert (await http.delete(f"{POOLS}/reports")).status_code == 204
    put = await http.put(f"{POOLS}/web", json={"mode": "session", "size": 3, "db": "app"})
    assert put.status_code == 500


async def test_injected_401_refuses_even_the_right_token(
    http: httpx.AsyncClient, state: SandboxState
) -> None:
    state.faults.unauthorized(operation="list_pools")
    response = await http.get(POOLS)
    assert response.status_code == 401
    assert response.json()["message"] == "Unable to authenticate you."


async def test_body_that_is_not_json(http: httpx.AsyncClient, state: SandboxState) -> None:
    state.faults.not_json()
    response = await http.get("/v2/databases")
    assert response.status_code == 502
    assert response.headers["content-type"] == "text/html"
    assert response.text == DEFAULT_HTML_502
    assert "ratelimit-limit" in response.headers


async def test_latency_uses_the_injected_sleep(
    http: httpx.AsyncClient, state: SandboxState, sleep: RecordedSleep
) -> None:
    state.latency = 0.25
    state.faults.latency(2.0, operation="get_cluster")
    await http.get("/v2/databases")
    await http.get(f"/v2/databases/{PROD_PG}")
    assert sleep.waits == [0.25, 2.25]


async def test_latency_combines_with_an_error(
    http: httpx.AsyncClient, state: SandboxState, sleep: RecordedSleep
) -> None:
    state.faults.latency(1.5)
    state.faults.server_error(503)
    assert (await http.get("/v2/databases")).status_code == 503
    assert sleep.waits == [1.5]


async def test_dropped_connection_is_a_transport_error_and_applies_nothing(
    http: httpx.AsyncClient, state: SandboxState
) -> None:
    state.faults.drop(operation="add_pool")
    with pytest.raises(httpx.TransportError) as caught:
        await http.post(POOLS, json=NEW_POOL)
    assert isinstance(caught.value, DroppedConnection)
    assert isinstance(caught.value, httpx.RemoteProtocolError)
    assert "batch" not in state.find_cluster("prod-pg").pools
    call = state.calls[-1]
    assert (call.operation, call.status, call.fault, call.applied) == (
        "add_pool",
        None,
        FaultKind.DROP,
        False,
    )


async def test_apply_then_drop_makes_the_write_happen(http: httpx.AsyncClient, state: SandboxState) -> None:
    state.faults.apply_then_drop(operation="update_pool")
    with pytest.raises(httpx.RemoteProtocolError):
        await http.put(f"{POOLS}/web", json={"mode": "transaction", "size": 40, "db": "app", "user": "app"})
    assert state.find_cluster("prod-pg").pools["web"].size == 40
    assert state.calls[-1].applied is True
    assert state.calls[-1].status is None


async def test_apply_then_drop_of_a_refused_write_applies_nothing(
    http: httpx.AsyncClient, state: SandboxState
) -> None:
    state.faults.apply_then_drop(operation="add_pool")
    with pytest.raises(DroppedConnection):
        await http.post(POOLS, json={**NEW_POOL, "size": 500})
    assert "batch" not in state.find_cluster("prod-pg").pools
    assert state.calls[-1].applied is False


async def test_timeout_is_a_read_timeout(
    http: httpx.AsyncClient, state: SandboxState, sleep: RecordedSleep
) -> None:
    state.faults.timeout(hang=12.0)
    with pytest.raises(httpx.ReadTimeout) as caught:
        await http.get("/v2/databases")
    assert isinstance(caught.value, InjectedTimeout)
    assert sleep.waits == [12.0]


async def test_apply_then_timeout(http: httpx.AsyncClient, state: SandboxState) -> None:
    state.faults.apply_then_timeout(operation="delete_pool")
    with pytest.raises(httpx.TimeoutException):
        await http.delete(f"{POOLS}/reports")
    assert "reports" not in state.find_cluster("prod-pg").pools
    call = state.calls[-1]
    assert (call.fault, call.applied, call.status) == (FaultKind.TIMEOUT, True, None)


async def test_first_matching_fault_answers_others_wait(http: httpx.AsyncClient, state: SandboxState) -> None:
    state.faults.server_error(500)
    state.faults.rate_limit()
    assert (await http.get("/v2/databases")).status_code == 500
    assert (await http.get("/v2/databases")).status_code == 429
    assert (await http.get("/v2/databases")).status_code == 200


def test_invalid_faults_are_refused() -> None:
    state = SandboxState()
    with pytest.raises(ValueError, match="5xx"):
        state.faults.server_error(404)
    with pytest.raises(ValueError, match="at least once"):
        state.faults.drop(times=0)


async def test_clock_drives_rate_limit_reset(
    http: httpx.AsyncClient, state: SandboxState, clock: FakeClock
) -> None:
    clock.now = START + 1000
    state.faults.rate_limit(reset_in=5)
    response = await http.get("/v2/databases")
    assert response.headers["ratelimit-reset"] == str(int(START + 1005))
