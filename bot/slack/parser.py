"""The `/pool` and `/db` command language: text → a typed command, or a `UsageError` with the usage line.

Pure: no Slack client, no I/O. Quotes around a word or an option's value are dropped.
Accepts what Slack sends with `should_escape` on or off: `&lt;`, `&gt;`,
`&amp;` are decoded, `<@U123|name>` and `<#C123|name>` become `name`, `<https://x|label>` becomes `label`
and `<mailto:a@b|a@b>` becomes `a@b`. Special mentions (`<!channel>`) are kept as typed so that the
validation (and the escaping on the way back out) sees exactly what the person wrote.

    /pool list <cluster> [public]            /db list <cluster> [public]
    /pool show <cluster> <pool> [public]     /db create <cluster> <db>
    /pool create <cluster> <pool> db=<db> size=<n> mode=<mode> [user=<user>]
    /pool resize <cluster> <pool> size=<n> [mode=<mode>]      /db drop <cluster> <db>
    /pool delete <cluster> <pool>            /pool help, /db help
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.ops.changes import Action, Change, DbCreate, DbDrop, PoolCreate, PoolDelete, PoolMode, PoolResize
from bot.ops.errors import InvalidRequest
from bot.ops.rules import parse_mode, parse_size
from bot.slack.renderers.blocks import sentence
from bot.slack.renderers.mrkdwn import escape

__all__ = [
    "DB_USAGE",
    "MODES",
    "POOL_USAGE",
    "Command",
    "Help",
    "OpenModal",
    "Read",
    "ReadKind",
    "RequestChange",
    "UsageError",
    "parse",
    "take_emergency",
    "usage_for",
]

MODES = tuple(mode.value for mode in PoolMode)

# Slack reads `<…>` as a link or mention even in code spans: the placeholders are sent escaped.
POOL_USAGE = escape(
    "Usage: `/pool list <cluster> [public]` · `/pool show <cluster> <pool> [public]` · "
    "`/pool create <cluster> <pool> db=<db> size=<n> mode=<session|transaction|statement> [user=<user>]` · "
    "`/pool resize <cluster> <pool> size=<n> [mode=<mode>]` · `/pool delete <cluster> <pool>` · "
    "`/pool help`. Create, resize or delete with no arguments opens a form. In an incident channel, the "
    'on-call engineer may add `emergency="reason"` to a change to make it without waiting for approval.'
)
DB_USAGE = escape(
    "Usage: `/db list <cluster> [public]` · `/db create <cluster> <db>` · `/db drop <cluster> <db>` · "
    "`/db help`. Create or drop with no arguments opens a form."
)


class ReadKind(StrEnum):
    POOL_LIST = "pool.list"
    POOL_SHOW = "pool.show"
    DB_LIST = "db.list"


@dataclass(frozen=True)
class Read:
    """A read-only question; answered to the asker only unless `public`."""

    kind: ReadKind
    cluster: str
    name: str | None = None
    public: bool = False


@dataclass(frozen=True)
class RequestChange:
    """A change to submit for approval; with `emergency` (the reason), a break-glass change."""

    change: Change
    emergency: str | None = None


@dataclass(frozen=True)
class OpenModal:
    """The verb was given without arguments: open the form for `action`."""

    action: Action


@dataclass(frozen=True)
class Help:
    command: str  # "/pool" or "/db"

    @property
    def text(self) -> str:
        return usage_for(self.command)


Command = Read | RequestChange | OpenModal | Help


class UsageError(Exception):
    """The text is not a valid command; `str()` says what is wrong, `usage` is the command's usage line."""

    def __init__(self, problem: str, *, command: str) -> None:
        self.problem = problem
        self.command = command
        self.usage = usage_for(command)
        super().__init__(problem)

    @property
    def text(self) -> str:
        return f"{self.problem}\n{self.usage}"


def usage_for(command: str) -> str:
    return DB_USAGE if command == "/db" else POOL_USAGE


# ---- tokens ---------------------------------------------------------------------------------------

_ANGLE = re.compile(r"<([^<>]*)>")


def _unwrap(match: re.Match[str]) -> str:
    inner = match.group(1)
    if inner.startswith("!"):
        return match.group(0)  # <!channel>, <!here>, <!subteam^S…>: kept as typed
    target, _, label = inner.partition("|")
    if label:
        return label
    if target.startswith(("@", "#")):
        return target[1:]
    return target.removeprefix("mailto:")


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


_QUOTES = {'"': '"', "'": "'", "“": "”", "‘": "’"}  # Slack clients may turn " into “ ”


def _unquote(word: str) -> str:
    """`"prod-pg"` → `prod-pg`, and `size="25"` → `size=25`: one pair of matching quotes around a word or
    an option's value is not part of it."""
    key, eq, value = word.partition("=")
    if eq and key and not key.startswith(tuple(_QUOTES)):
        return f"{key}={_unquote(value)}"
    if len(word) >= 2 and _QUOTES.get(word[0]) == word[-1]:
        return word[1:-1]
    return word


def tokens(text: str) -> list[str]:
    """Split on any whitespace, after resolving Slack's `<…>` forms and decoding its entities; a word or an
    option's value in quotes is read without them."""
    words = [_unescape(_ANGLE.sub(_unwrap, token)).replace("&quot;", '"') for token in text.split()]
    return [_unquote(word) for word in words]


# ---- grammar --------------------------------------------------------------------------------------

# verb → (positional names, required options, optional options)
_POOL_VERBS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "list": (("cluster",), (), ()),
    "show": (("cluster", "pool"), (), ()),
    "create": (("cluster", "pool"), ("db", "size", "mode"), ("user",)),
    "resize": (("cluster", "pool"), (), ("size", "mode")),
    "delete": (("cluster", "pool"), (), ()),
}
_DB_VERBS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "list": (("cluster",), (), ()),
    "create": (("cluster", "db"), (), ()),
    "drop": (("cluster", "db"), (), ()),
}
_MODAL_ACTIONS = {
    ("/pool", "create"): Action.POOL_CREATE,
    ("/pool", "resize"): Action.POOL_RESIZE,
    ("/pool", "delete"): Action.POOL_DELETE,
    ("/db", "create"): Action.DB_CREATE,
    ("/db", "drop"): Action.DB_DROP,
}
_READS = {"list", "show"}


def parse(command: str, text: str) -> Command:
    """Parse the text of `/pool` or `/db`; raise `UsageError` for anything that is not a valid command."""
    command = command.strip().lower()
    if command not in ("/pool", "/db"):
        raise UsageError(f"Unknown command {command}.", command="/pool")
    text, emergency = take_emergency(text, command)
    words = tokens(text)
    if emergency is not None and (len(words) < 2 or words[0].lower() in _READS):
        problem = "`emergency=` goes only with a change (create, resize, delete, drop)."
        raise UsageError(problem, command=command)
    if not words or words[0].lower() in ("help", "-h", "--help", "?"):
        return Help(command)
    verb, args = words[0].lower(), words[1:]
    grammar = (_POOL_VERBS if command == "/pool" else _DB_VERBS).get(verb)
    if grammar is None:
        raise UsageError(f"`{command}` has no subcommand `{words[0]}`.", command=command)
    if not args and (command, verb) in _MODAL_ACTIONS:
        return OpenModal(_MODAL_ACTIONS[(command, verb)])
    positional_names, required, optional = grammar
    positional: list[str] = []
    options: dict[str, str] = {}
    public = False
    for arg in args:
        key, eq, value = arg.partition("=")
        if eq:
            key = key.lower()
            if key not in required and key not in optional:
                allowed = ", ".join(f"`{k}=`" for k in (*required, *optional))
                hint = f" (it takes {allowed})" if allowed else " (it takes no options)"
                raise UsageError(f"`{command} {verb}` has no option `{key}=`{hint}.", command=command)
            if key in options:
                raise UsageError(f"`{key}=` is given twice.", command=command)
            if not value:
                raise UsageError(f"`{key}=` needs a value.", command=command)
            options[key] = value
        elif verb in _READS and arg.lower() == "public":
            public = True
        else:
            positional.append(arg)
    if len(positional) < len(positional_names):
        missing = positional_names[len(positional)]
        raise UsageError(f"`{command} {verb}` needs a <{missing}>.", command=command)
    if len(positional) > len(positional_names):
        extra = " ".join(positional[len(positional_names) :])
        raise UsageError(f"`{command} {verb}` does not take `{extra}`.", command=command)
    for key in required:
        if key not in options:
            raise UsageError(f"`{command} {verb}` needs `{key}=`.", command=command)
    named = dict(zip(positional_names, positional, strict=True))
    built = _build(command, verb, named, options, public)
    if emergency is not None and isinstance(built, RequestChange):
        return RequestChange(built.change, emergency=emergency)
    return built


# `emergency="reason with spaces"`: straight or curly quotes (Slack clients may turn " into “ ”).
_EMERGENCY = re.compile(r"""(?:^|\s)emergency=(?:"([^"]*)"|“([^”]*)”|'([^']*)'|‘([^’]*)’|(\S+))""", re.I)


def take_emergency(text: str, command: str = "/pool") -> tuple[str, str | None]:
    """Split `emergency="…"` (the break-glass reason) off the command text: (the rest, the reason)."""
    decoded = text.replace("&quot;", '"')
    found = list(_EMERGENCY.finditer(decoded))
    if not found:
        return text, None
    if len(found) > 1:
        raise UsageError("`emergency=` is given twice.", command=command)
    match = found[0]
    reason = " ".join(next((g for g in match.groups() if g is not None), "").split())
    if not reason:
        raise UsageError('`emergency=` needs a reason, in quotes: `emergency="db is down"`.', command=command)
    return decoded[: match.start()] + " " + decoded[match.end() :], _unescape(reason)[:500]


def _build(command: str, verb: str, named: dict[str, str], options: dict[str, str], public: bool) -> Command:
    cluster = named["cluster"]
    size = _size(options["size"], command) if "size" in options else None
    mode = _mode(options["mode"], command) if "mode" in options else None
    if command == "/pool":
        pool = named.get("pool", "")
        if verb == "list":
            return Read(ReadKind.POOL_LIST, cluster, public=public)
        if verb == "show":
            return Read(ReadKind.POOL_SHOW, cluster, pool, public=public)
        if verb == "create":
            assert size is not None
            assert mode is not None
            change: Change = PoolCreate(
                cluster=cluster, pool=pool, db=options["db"], size=size, mode=mode, user=options.get("user")
            )
        elif verb == "resize":
            if size is None and mode is None:
                raise UsageError("`/pool resize` needs `size=` or `mode=` (or both).", command=command)
            change = PoolResize(cluster=cluster, pool=pool, size=size, mode=mode)
        else:
            change = PoolDelete(cluster=cluster, pool=pool)
        return RequestChange(change)
    if verb == "list":
        return Read(ReadKind.DB_LIST, cluster, public=public)
    db = named["db"]
    return RequestChange(
        DbCreate(cluster=cluster, db=db) if verb == "create" else DbDrop(cluster=cluster, db=db)
    )


def _size(value: str, command: str) -> int:
    """Which key is syntax; what a size may be is the service layer's rule (`bot.ops.rules`)."""
    try:
        return parse_size(value)
    except InvalidRequest as refused:
        raise UsageError(sentence(str(refused)), command=command) from None


def _mode(value: str, command: str) -> PoolMode:
    try:
        return parse_mode(value)
    except InvalidRequest as refused:
        raise UsageError(sentence(str(refused)), command=command) from None
