"""The command language: every verb, every refusal with its exact sentence, and Slack's escaped forms."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.ops.changes import Action, DbCreate, DbDrop, PoolCreate, PoolDelete, PoolResize
from bot.slack.listeners.commands import register_commands
from bot.slack.parser import (
    DB_USAGE,
    POOL_USAGE,
    Command,
    Help,
    OpenModal,
    Read,
    ReadKind,
    RequestChange,
    UsageError,
    parse,
    tokens,
)
from bot.slack.renderers.mrkdwn import TEXT_LIMIT

SIZE_RULE = (
    "Size must be a whole number from 1 to 2,147,483,647, not "  # the service layer's one sentence for a size
)


@pytest.mark.parametrize(
    ("command", "text", "expected"),
    [
        ("/pool", "list prod-pg", Read(ReadKind.POOL_LIST, "prod-pg")),
        ("/pool", "list prod-pg public", Read(ReadKind.POOL_LIST, "prod-pg", public=True)),
        ("/pool", "LIST prod-pg PUBLIC", Read(ReadKind.POOL_LIST, "prod-pg", public=True)),
        ("/pool", "show prod-pg web", Read(ReadKind.POOL_SHOW, "prod-pg", "web")),
        ("/pool", "show public prod-pg web", Read(ReadKind.POOL_SHOW, "prod-pg", "web", public=True)),
        (
            "/pool",
            "list 9cc10173-e9ea-4176-9dbc-a4cee4c4ff30",
            Read(ReadKind.POOL_LIST, "9cc10173-e9ea-4176-9dbc-a4cee4c4ff30"),
        ),
        ("/db", "list staging-pg", Read(ReadKind.DB_LIST, "staging-pg")),
        ("/db", "list staging-pg public", Read(ReadKind.DB_LIST, "staging-pg", public=True)),
    ],
)
def test_reads(command: str, text: str, expected: Read) -> None:
    assert parse(command, text) == expected


@pytest.mark.parametrize(
    ("command", "text", "change"),
    [
        (
            "/pool",
            "create prod-pg api db=app size=15 mode=transaction",
            PoolCreate(cluster="prod-pg", pool="api", db="app", size=15, mode="transaction"),
        ),
        (
            "/pool",
            "create prod-pg api mode=Session size=5 db=orders user=reporting",
            PoolCreate(cluster="prod-pg", pool="api", db="orders", size=5, mode="session", user="reporting"),
        ),
        (
            "/pool",
            "create   prod-pg\tapi  DB=app SIZE=1 MODE=statement",
            PoolCreate(cluster="prod-pg", pool="api", db="app", size=1, mode="statement"),
        ),
        ("/pool", "resize prod-pg web size=25", PoolResize(cluster="prod-pg", pool="web", size=25)),
        (
            "/pool",
            "resize prod-pg web mode=session",
            PoolResize(cluster="prod-pg", pool="web", mode="session"),
        ),
        (
            "/pool",
            "resize prod-pg web size=30 mode=statement",
            PoolResize(cluster="prod-pg", pool="web", size=30, mode="statement"),
        ),
        ("/pool", "delete staging-pg staging-web", PoolDelete(cluster="staging-pg", pool="staging-web")),
        ("/db", "create prod-pg billing", DbCreate(cluster="prod-pg", db="billing")),
        ("/db", "drop prod-pg orders", DbDrop(cluster="prod-pg", db="orders")),
    ],
)
def test_changes(command: str, text: str, change: object) -> None:
    assert parse(command, text) == RequestChange(change)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("command", "text", "action"),
    [
        ("/pool", "create", Action.POOL_CREATE),
        ("/pool", "resize", Action.POOL_RESIZE),
        ("/pool", "delete", Action.POOL_DELETE),
        ("/db", "create", Action.DB_CREATE),
        ("/db", "drop", Action.DB_DROP),
        ("/db", "  Drop  ", Action.DB_DROP),
    ],
)
def test_a_change_verb_without_arguments_opens_the_form(command: str, text: str, action: Action) -> None:
    assert parse(command, text) == OpenModal(action)


@pytest.mark.parametrize(
    ("command", "text"), [("/pool", ""), ("/pool", "help"), ("/db", "HELP"), ("/db", "?")]
)
def test_help(command: str, text: str) -> None:
    result = parse(command, text)
    assert result == Help(command)
    assert isinstance(result, Help)
    assert result.text == (POOL_USAGE if command == "/pool" else DB_USAGE)


@pytest.mark.parametrize(
    ("command", "text", "problem"),
    [
        ("/pool", "frobnicate prod-pg", "`/pool` has no subcommand `frobnicate`."),
        ("/db", "resize prod-pg app", "`/db` has no subcommand `resize`."),
        ("/pool", "list", "`/pool list` needs a <cluster>."),
        ("/db", "list", "`/db list` needs a <cluster>."),
        ("/pool", "show prod-pg", "`/pool show` needs a <pool>."),
        ("/pool", "create prod-pg", "`/pool create` needs a <pool>."),
        ("/pool", "create prod-pg api size=5 mode=session", "`/pool create` needs `db=`."),
        ("/pool", "create prod-pg api db=app mode=session", "`/pool create` needs `size=`."),
        ("/pool", "create prod-pg api db=app size=5", "`/pool create` needs `mode=`."),
        (
            "/pool",
            "create prod-pg api db=app size=5 mode=turbo",
            'Mode "turbo" is not a pool mode; choose session, transaction or statement.',
        ),
        (
            "/pool",
            "create prod-pg api db=app size=ten mode=session",
            SIZE_RULE + '"ten".',
        ),
        ("/pool", "resize prod-pg web size=-3", SIZE_RULE + '"-3".'),
        ("/pool", "resize prod-pg web size=2.5", SIZE_RULE + '"2.5".'),
        ("/pool", "resize prod-pg web", "`/pool resize` needs `size=` or `mode=` (or both)."),
        ("/pool", "resize prod-pg web size=5 size=6", "`size=` is given twice."),
        ("/pool", "resize prod-pg web size=", "`size=` needs a value."),
        (
            "/pool",
            "resize prod-pg web db=app size=5",
            "`/pool resize` has no option `db=` (it takes `size=`, `mode=`).",
        ),
        ("/pool", "delete prod-pg web now", "`/pool delete` does not take `now`."),
        ("/pool", "delete prod-pg web size=3", "`/pool delete` has no option `size=` (it takes no options)."),
        ("/db", "drop prod-pg orders extra", "`/db drop` does not take `extra`."),
        ("/db", "create prod-pg", "`/db create` needs a <db>."),
        ("/pool", "list prod-pg web", "`/pool list` does not take `web`."),
        (
            "/pool",
            "create prod-pg api public db=app size=1 mode=session",
            "`/pool create` does not take `public`.",
        ),
    ],
)
def test_usage_errors_say_what_is_wrong_and_show_the_usage(command: str, text: str, problem: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse(command, text)
    assert str(caught.value) == problem
    usage = POOL_USAGE if command == "/pool" else DB_USAGE
    assert caught.value.text == f"{problem}\n{usage}"


def test_a_size_of_thousands_of_digits_gets_the_usage_line_not_a_crash() -> None:
    """Python refuses to read an integer of more than 4,300 digits; such a size is bad input, not a crash."""
    with pytest.raises(UsageError) as caught:
        parse("/pool", "resize prod-pg web size=" + "9" * 5000)
    assert str(caught.value) == SIZE_RULE + "a 5,000-character value."
    assert caught.value.usage == POOL_USAGE


@pytest.mark.parametrize(
    ("size", "problem"),
    [
        ("0", SIZE_RULE + '"0".'),
        ("2147483648", SIZE_RULE + '"2147483648".'),
        ("99999999999999999999", SIZE_RULE + '"99999999999999999999".'),
    ],
)
def test_a_size_beyond_what_digitalocean_takes_is_refused(size: str, problem: str) -> None:
    """DigitalOcean's spec types a pool's size as int32; the service layer checks the cluster's real room."""
    with pytest.raises(UsageError) as caught:
        parse("/pool", f"create prod-pg api db=app size={size} mode=session")
    assert str(caught.value) == problem


@pytest.mark.parametrize(
    ("size", "expected"), [("2147483647", 2_147_483_647), ("0" * 6000 + "25", 25), ("0007", 7)]
)
def test_sizes_up_to_int32_are_read_whatever_their_leading_zeros(size: str, expected: int) -> None:
    assert parse("/pool", f"resize prod-pg web size={size}") == RequestChange(
        PoolResize(cluster="prod-pg", pool="web", size=expected)
    )


def test_slack_escaped_forms_are_decoded() -> None:
    # should_escape on: users, channels and links arrive wrapped; entities always arrive encoded
    assert tokens(
        "<@U123ABC|reporting> <#C0456|prod-pg> <http://prod-pg.io|prod-pg.io> <mailto:a@b.c|a@b.c>"
    ) == [
        "reporting",
        "prod-pg",
        "prod-pg.io",
        "a@b.c",
    ]
    assert tokens("<@U123ABC> <http://x.io>") == ["U123ABC", "http://x.io"]
    assert tokens("a&amp;b &lt;tag&gt; &amp;lt;") == ["a&b", "<tag>", "&lt;"]
    assert parse("/pool", "create <#C1|prod-pg> api db=app size=5 mode=session user=<@U9|reporting>") == (
        RequestChange(
            PoolCreate(cluster="prod-pg", pool="api", db="app", size=5, mode="session", user="reporting")
        )
    )


def test_special_mentions_are_kept_as_typed_so_they_are_validated_and_escaped_later() -> None:
    assert parse("/pool", "show prod-pg <!channel>") == Read(ReadKind.POOL_SHOW, "prod-pg", "<!channel>")
    assert parse("/pool", "show prod-pg &lt;!channel&gt;") == Read(
        ReadKind.POOL_SHOW, "prod-pg", "<!channel>"
    )


def test_unknown_command() -> None:
    with pytest.raises(UsageError, match=r"^Unknown command /pools\.$"):
        parse("/pools", "list x")


def test_names_and_values_in_quotes_are_read_without_the_quotes() -> None:
    typed = "resize \"prod-pg\" “web” size='25' mode=&quot;session&quot;"
    assert parse("/pool", typed) == RequestChange(
        PoolResize(cluster="prod-pg", pool="web", size=25, mode="session")
    )
    created = RequestChange(DbCreate(cluster="prod-pg", db="events"))
    assert parse("/db", 'create ‘prod-pg’ "events"') == created


def test_usage_texts_send_their_placeholders_escaped() -> None:
    """Slack would read a raw `<cluster>` as a link; escaped, it shows as typed."""
    from bot.slack.listeners.dbops_command import DBOPS_USAGE

    for usage in (POOL_USAGE, DB_USAGE, DBOPS_USAGE):
        assert "<" not in usage
        assert ">" not in usage
        assert "&lt;cluster&gt;" in usage


# ---- any text ---------------------------------------------------------------------------------------

_NASTY = [
    "..",
    "../..",
    "\x00",
    "a\x00b",
    "<!channel>",
    "&lt;!here&gt;",
    "<@U0EVIL|admin>",
    "<https://evil.example|prod-pg>",
    "*bold* _it_ ~strike~",
    "`",
    "```",
    "&amp;",
    "&",
    '"',
    "“",
    "emergency=",
    'emergency="db is down"',
    "\u202e",
    "size=" + "9" * 5000,
    "size=" + "0" * 10_000,
    "size=-0",
]
_DIGITS = st.one_of(  # around int32 and Python's 4,300-digit limit for int()
    st.integers(0, 2**40).map(str),
    st.sampled_from([10, 11, 4300, 4301, 5000, 10_000]).map(lambda n: "9" * n),
)
_VALUE = st.one_of(
    st.text(max_size=20), st.sampled_from(_NASTY), _DIGITS, st.integers(-(2**64), 2**64).map(str)
)
_WORD = st.one_of(
    st.sampled_from(_NASTY),
    st.sampled_from(["public", "prod-pg", "web", "size=5", "mode=session", "db=app"]),
    st.text(max_size=30),  # any code point, NUL and controls included
    st.builds(lambda char, n: char * n, st.characters(), st.integers(1, 10_000)),  # up to 10,000 characters
    st.builds(
        "{}={}".format, st.sampled_from(["size", "SIZE", "mode", "db", "user", "emergency", "x"]), _VALUE
    ),
)
_NAME = st.one_of(st.sampled_from(["prod-pg", "web", "..", "<!channel>", "*web*"]), _WORD)
_OPTIONS = st.dictionaries(st.sampled_from(["size", "mode", "db", "user"]), st.one_of(_DIGITS, _VALUE))
_GAP = st.sampled_from([" ", "\t", "\n", "  "])
_TEXT = st.one_of(
    st.builds(lambda words, gap: gap.join(words), st.lists(_WORD, max_size=8), _GAP),
    st.builds(  # shaped like a command: a verb, two names, each option at most once, maybe more words
        lambda verb, names, options, extra, gap: gap.join(
            [verb, *names, *(f"{k}={v}" for k, v in options.items()), *extra]
        ),
        st.sampled_from(["list", "show", "create", "resize", "delete", "drop"]),
        st.lists(_NAME, min_size=1, max_size=2),
        _OPTIONS,
        st.lists(_WORD, max_size=2),
        _GAP,
    ),
)


async def _answer(command: str, text: str) -> str:
    """What the `/pool` or `/db` listener acks for `text`: the reply Slack shows (only for help and usage
    errors, which are answered in the ack without touching anything else)."""
    listeners: dict[str, Callable[..., Awaitable[None]]] = {}

    class _App:
        def command(self, name: str) -> Callable[[Callable[..., Awaitable[None]]], None]:
            return lambda listener: listeners.__setitem__(name, listener)

    said: list[dict[str, Any]] = []

    async def ack(**reply: Any) -> None:
        said.append(reply)

    register_commands(_App(), deps=None)  # type: ignore[arg-type]
    payload = {"command": command, "text": text, "user_id": "U0ALICE", "channel_id": "C0DBOPS"}
    await listeners[command](ack=ack, command=payload, client=None, respond=None)
    [reply] = said
    return str(reply["text"])


@settings(max_examples=300, deadline=None)
@given(command=st.sampled_from(["/pool", "/db"]), text=_TEXT)
@example(command="/pool", text="resize prod-pg web size=" + "9" * 5000)
@example(command="/pool", text="create .. \x00 db=<!channel> size=" + "9" * 10_000 + " mode=*bold*")
@example(command="/db", text="drop " + "`" * 10_000 + " ..")
def test_any_text_is_a_command_or_a_usage_answer_within_slacks_limits(command: str, text: str) -> None:
    outcome: Command | UsageError
    try:
        outcome = parse(command, text)
    except UsageError as error:  # anything else fails the test
        outcome = error
    if isinstance(outcome, UsageError):
        assert outcome.problem.strip()
        expected_end = "\n" + outcome.usage  # the usage line is shown whole
    elif isinstance(outcome, Help):
        expected_end = outcome.text
    else:
        assert isinstance(outcome, Command.__args__)  # type: ignore[attr-defined]
        return
    answer = asyncio.run(_answer(command, text))
    assert answer.endswith(expected_end)
    assert len(answer) <= TEXT_LIMIT
    assert "<" not in answer, "nothing typed becomes a mention or a link"
    assert ">" not in answer
