"""DigitalOcean's failures as the user reads them; a write with no clear answer is an unknown outcome."""

from __future__ import annotations

import pytest

from bot.ops import DatabaseOps, OutcomeUnknownError, PoolCreate, PoolResize, UpstreamFailure
from bot.sandbox import PROD_PG, SANDBOX_TOKEN, SandboxState

CREATE = PoolCreate(cluster="prod-pg", pool="batch", db="app", size=5, mode="session")


async def failure(ops: DatabaseOps) -> UpstreamFailure:
    with pytest.raises(UpstreamFailure) as error:
        await ops.list_pools("prod-pg")
    assert SANDBOX_TOKEN not in str(error.value)
    return error.value


async def test_401_the_token_was_refused(ops: DatabaseOps, state: SandboxState) -> None:
    state.faults.unauthorized()
    error = await failure(ops)
    assert str(error) == "DigitalOcean refused the bot's token"
    assert (error.status, error.error_id) == (401, "unauthorized")
    assert error.request_id == state.calls[-1].request_id


async def test_404_says_what_was_not_found(ops: DatabaseOps, state: SandboxState) -> None:
    await ops.list_clusters()
    state.faults.status(404, operation="list_pools")
    error = await failure(ops)
    assert str(error) == "DigitalOcean could not find cluster prod-pg"
    assert (error.status, error.error_id) == (404, "not_found")


async def test_422_gives_digitaloceans_reason(ops: DatabaseOps, state: SandboxState) -> None:
    plan = await ops.plan(CREATE)
    state.faults.status(422, message="pool names must be unique", operation="add_pool")
    with pytest.raises(UpstreamFailure) as error:
        await ops.execute(plan)
    assert str(error.value) == "DigitalOcean refused the request: pool names must be unique"
    assert error.value.status == 422
    assert "batch" not in state.clusters[PROD_PG].pools


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (400, "invalid pool mode: must be session, transaction or statement"),
        (409, "the cluster is busy with another operation; try again later"),
    ],
)
async def test_400_and_409_give_digitaloceans_reason(
    ops: DatabaseOps, state: SandboxState, status: int, message: str
) -> None:
    plan = await ops.plan(CREATE)
    state.faults.status(status, message=message, operation="add_pool")
    with pytest.raises(UpstreamFailure) as error:
        await ops.execute(plan)
    assert str(error.value) == f"DigitalOcean refused the request: {message}"
    assert error.value.status == status
    assert "batch" not in state.clusters[PROD_PG].pools


async def test_429_says_when_to_try_again(ops: DatabaseOps, state: SandboxState) -> None:
    state.faults.rate_limit(retry_after=30)
    error = await failure(ops)
    assert str(error) == "DigitalOcean is rate limiting the bot; try again in 30 seconds"
    assert (error.status, error.retry_after, error.error_id) == (429, 30.0, "too_many_requests")


@pytest.mark.parametrize("status", [500, 503])
async def test_5xx_on_a_read_is_a_failure(ops: DatabaseOps, state: SandboxState, status: int) -> None:
    state.faults.server_error(status)
    error = await failure(ops)
    assert str(error) == f"DigitalOcean failed (HTTP {status}); try again in a moment"
    assert error.status == status


async def test_a_proxy_page_instead_of_json(ops: DatabaseOps, state: SandboxState) -> None:
    state.faults.not_json(502)
    error = await failure(ops)
    assert str(error) == "DigitalOcean failed (HTTP 502); try again in a moment"


async def test_no_answer_to_a_read(ops: DatabaseOps, state: SandboxState) -> None:
    state.faults.drop()
    error = await failure(ops)
    assert (str(error), error.status) == ("DigitalOcean did not answer; try again in a moment", None)


async def test_5xx_on_a_write_is_an_unknown_outcome(ops: DatabaseOps, state: SandboxState) -> None:
    plan = await ops.plan(PoolResize(cluster="prod-pg", pool="web", size=25))
    state.faults.server_error(503, operation="update_pool")
    with pytest.raises(OutcomeUnknownError) as error:
        await ops.execute(plan)
    assert str(error.value) == (
        "DigitalOcean failed (HTTP 503) while resizing pool web on prod-pg, so whether it took effect is "
        "unknown; the bot will read the state back to decide, never repeat it blindly"
    )
    assert error.value.status == 503
    assert error.value.request_id == state.calls_for("update_pool")[0].request_id


async def test_no_answer_to_a_write_is_an_unknown_outcome(ops: DatabaseOps, state: SandboxState) -> None:
    plan = await ops.plan(CREATE)
    state.faults.apply_then_drop(operation="add_pool")
    with pytest.raises(OutcomeUnknownError) as error:
        await ops.execute(plan)
    assert str(error.value) == (
        "DigitalOcean gave no answer while creating pool batch on prod-pg, so whether it took effect is "
        "unknown; the bot will read the state back to decide, never repeat it blindly"
    )
    assert len(state.calls_for("add_pool")) == 1
