"""Drill 3, DigitalOcean faults (the sandbox's fault injection on the write): bursts of 429 with reset times,
500/502/503, timeouts, dropped connections (with and without the write applied), a body that is not JSON,
a 401 after a token rotation → no crash; the thread says what happened in plain words; the request's state
agrees with DigitalOcean's; `/metrics` counts every status. Full scale repeats the list."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.sandbox import Faults
from bot.slack import ids
from bot.store import RequestState
from tests.support.team import LEAD1

from .figures import Board
from .stack import SCALE, Stack

PROD = "9cc10173-e9ea-4176-9dbc-a4cee4c4ff30"
WRITE = {"method": "POST", "path": f"/v2/databases/{PROD}/dbs"}

CASES: dict[str, Callable[[Faults], object]] = {
    "429 burst": lambda f: f.rate_limit(reset_in=1, retry_after=1, times=3, **WRITE),
    "500": lambda f: f.server_error(500, **WRITE),
    "502": lambda f: f.server_error(502, **WRITE),
    "503": lambda f: f.server_error(503, **WRITE),
    "not JSON": lambda f: f.not_json(502, **WRITE),
    "timeout": lambda f: f.timeout(hang=0.2, **WRITE),
    "dropped": lambda f: f.drop(**WRITE),
    "applied, dropped": lambda f: f.apply_then_drop(**WRITE),
    "applied, timeout": lambda f: f.apply_then_timeout(hang=0.2, **WRITE),
}
PLAIN = ("Traceback", "Exception", "httpx", "RemoteProtocolError", "<html", "None")


@pytest.mark.postgres
async def test_digitalocean_faults_are_told_plainly_and_leave_a_consistent_state(
    stack: Stack, board: Board
) -> None:
    [bot] = await stack.start_bots(1, SWEEP_INTERVAL_SECONDS="0.5")
    faults_injected = 0
    outcomes: dict[str, str] = {}
    cases = [(f"{name}", arm, r) for r in range(SCALE) for name, arm in CASES.items()]
    cases.append(("401 after token rotation", lambda f: None, 0))
    for number, (name, arm, _) in enumerate(cases):
        db = f"fault_{number:03d}"
        await stack.command(bot, f"create prod-pg {db}", command="/db")
        [*_, request] = await stack.carded(number + 1)
        if name.startswith("401"):
            stack.sandbox.rotate_token("dop_v1_rotated")
        else:
            arm(stack.sandbox.faults)
        faults_injected += 1
        assert (await stack.click(bot, ids.APPROVE, request, user=LEAD1)).status_code == 200
        [final] = await stack.settled([request.id], limit=60)
        stack.sandbox.rotate_token(stack.secrets.digitalocean_token)
        stack.sandbox.faults.clear()

        applied = db in stack.sandbox.clusters[PROD].dbs
        assert (final.state is RequestState.SUCCEEDED) == applied, f"{name}: {final.state} but {applied=}"
        await stack.slack.wait_for(
            lambda s, r=final: any(":white_check_mark:" in t or ":x:" in t for t in stack.thread(r)[-1:]),
            what=f"the result line of {name}",
        )
        last = stack.thread(final)[-1]
        assert ("The change succeeded" in last) == applied, f"{name}: {last}"
        assert not any(word in last for word in PLAIN), f"{name}: {last}"
        outcomes[name] = final.state.value

    metrics = (await stack.http.get(f"{bot.url}/metrics")).text
    for status in ("429", "500", "502", "503", "401", "error"):
        assert f'status="{status}"' in metrics, status
    writes = [c for c in stack.sandbox.calls if c.method == "POST" and c.path == WRITE["path"]]
    executing = [e for e in await stack.store.events() if e.kind == "executing"]
    errors = stack.unexpected_errors()
    board.add(
        "do_faults",
        requests=len(cases),
        faults=faults_injected,
        executions=len(executing),
        duplicates=len(executing) - len(cases),
        unexpected_errors=len(errors),
        note=", ".join(f"{k}: {v}" for k, v in outcomes.items()),
    )
    assert len(executing) == len(cases)
    assert len([c for c in writes if c.applied or (c.status or 0) < 300]) <= len(cases)
    assert errors == []
