"""Drill 6, bad input (hypothesis): the command parser on any text, and every command and modal submission
through a real `serve` process → always acked, a clear answer, never a 500, never an unescaped mention, never
a write to DigitalOcean. Examples: 30 per property in the normal suite, 30·`DBOPS_DRILL_SCALE` at full scale.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.demo.slack_standin import view_submission_body
from bot.ops.changes import Action
from bot.slack import ids
from bot.slack.parser import Command, UsageError, parse
from bot.slack.renderers.views import FormMeta
from tests.support.team import ALICE, CHANNEL

from .figures import BOARD
from .stack import SCALE, Stack, running_stack

T = TypeVar("T")

NASTY = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<@U0EVIL>",
    "<!subteam^S0EVIL>",
    "&lt;!channel&gt;",
    "<https://evil.example|click me>",
    "*bold* _it_ ~strike~ `code` ```block```",
    "'; DROP TABLE requests; --",
    '" OR 1=1 --',
    "'quoted' \"double\"",
    "🚀 ünïcödé ﷽ \u202e",
    "\x00\x1b[31m",
    "",
    "   ",
    "x" * 3000,
    "prod-pg",
    "web",
    "size=1",
    "size=-1",
    "size=99999999999999999999",
    "mode=<!here>",
    "db=app",
]
WORDS = st.one_of(
    st.sampled_from(NASTY),
    st.sampled_from(["list", "show", "create", "resize", "delete", "drop", "help", "public"]),
    st.text(max_size=40),
)
TEXT = st.lists(WORDS, max_size=8).map(" ".join)
FORBIDDEN = re.compile(r"<!(channel|here|everyone|subteam)|<@U0EVIL")


class Portal:
    """An event loop in a thread, so hypothesis's synchronous tests can drive the asynchronous stack."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 120) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Portal, Stack]]:
    portal = Portal()
    context = running_stack(tmp_path_factory.mktemp("bad-input"))
    try:
        stack = portal.run(context.__aenter__())
        portal.run(stack.start_bots(1))
        yield portal, stack
        # a form's field errors are plain text (Slack shows them verbatim, mentions included as typed)
        answers = [r.text for r in stack.responses if not r.text.startswith('{"response_action"')]
        portal.run(context.__aexit__(None, None, None))
        said = (
            answers + [repr(c.args) for c in stack.slack.calls] + [repr(b) for _, b in stack.slack.webhooks]
        )
        assert [s for s in said if FORBIDDEN.search(s)] == []
        writes = [c for c in stack.sandbox.calls if c.method in ("POST", "PUT", "DELETE")]
        errors = stack.unexpected_errors()
        BOARD.add(
            "bad_input",
            requests=len(stack.responses),
            faults=len(stack.responses),
            executions=len(writes),
            unexpected_errors=len(errors),
        )
        assert writes == []
        assert errors == []
    finally:
        portal.close()


EXAMPLES = settings(
    max_examples=30 * SCALE,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@EXAMPLES
@given(command=st.sampled_from(["/pool", "/db"]), text=TEXT)
def test_the_parser_answers_any_text_with_a_command_or_a_usage_line(command: str, text: str) -> None:
    try:
        parsed: object = parse(command, text)
    except UsageError as error:
        parsed = error
    if isinstance(parsed, UsageError):
        assert parsed.usage.startswith("Usage:")
        assert parsed.problem.strip()
    else:
        assert isinstance(parsed, Command.__args__)  # type: ignore[attr-defined]


@pytest.mark.postgres
@EXAMPLES
@given(command=st.sampled_from(["/pool", "/db"]), text=TEXT)
def test_any_command_text_is_acked_with_a_clear_answer(
    live: tuple[Portal, Stack], command: str, text: str
) -> None:
    portal, stack = live
    [bot] = stack.bots
    answer = portal.run(stack.command(bot, text, command=command, user=ALICE))
    assert answer.status_code == 200
    assert not FORBIDDEN.search(answer.text)


FIELD = st.one_of(st.sampled_from(NASTY), st.text(max_size=30), st.none())


def _values(cluster: str | None, fields: dict[str, str | None]) -> dict[str, Any]:
    values: dict[str, Any] = {
        ids.CLUSTER_BLOCK: {ids.CLUSTER_SELECT: {"selected_option": {"value": cluster} if cluster else None}}
    }
    for (block, action), value in zip(
        [
            (ids.POOL_BLOCK, ids.POOL_INPUT),
            (ids.DB_BLOCK, ids.DB_INPUT),
            (ids.SIZE_BLOCK, ids.SIZE_INPUT),
            (ids.CONFIRM_BLOCK, ids.CONFIRM_INPUT),
            (ids.REASON_BLOCK, ids.REASON_INPUT),
        ],
        [fields["pool"], fields["db"], fields["size"], fields["confirm"], fields["reason"]],
        strict=True,
    ):
        values[block] = {action: {"value": value}}
    for block, action, value in (
        (ids.POOL_BLOCK, ids.POOL_SELECT, fields["pool"]),
        (ids.DB_BLOCK, ids.DB_SELECT, fields["db"]),
        (ids.MODE_BLOCK, ids.MODE_SELECT, fields["mode"]),
        (ids.USER_BLOCK, ids.USER_SELECT, fields["mode"]),
    ):
        values.setdefault(block, {})[action] = {"selected_option": {"value": value} if value else None}
    return values


@pytest.mark.postgres
@EXAMPLES
@given(
    action=st.sampled_from([*Action, None]),
    cluster=st.one_of(st.sampled_from(["prod-pg", "orders-mysql", "cache-redis"]), FIELD),
    pool=FIELD,
    db=FIELD,
    size=st.one_of(FIELD, st.integers(-5, 10**6).map(str)),
    mode=FIELD,
    reason=FIELD,
)
def test_any_modal_submission_is_acked_with_a_clear_answer(
    live: tuple[Portal, Stack],
    action: Action | None,
    cluster: str | None,
    pool: str | None,
    db: str | None,
    size: str | None,
    mode: str | None,
    reason: str | None,
) -> None:
    portal, stack = live
    [bot] = stack.bots
    callback = ids.MODAL_CHANGE if action is not None else ids.MODAL_REJECT
    meta = FormMeta(action, CHANNEL, None if action is not None else "R-NOSUCH1")
    fields = {"pool": pool, "db": db, "size": size, "confirm": db, "reason": reason, "mode": mode}
    body = view_submission_body(callback, _values(cluster, fields), user=ALICE, private_metadata=meta.dump())
    answer = portal.run(stack.post(bot, body))
    assert answer.status_code == 200
    if answer.text:
        reply = answer.json()
        assert reply["response_action"] == "errors"
        assert all(isinstance(m, str) and m.strip() for m in reply["errors"].values())
