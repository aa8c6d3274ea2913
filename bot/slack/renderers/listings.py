"""Answers to the reads: `/pool list`, `/pool show`, `/db list` (Block Kit, every name escaped), and the
one page builder for every long answer (`pages`: these listings and `/dbops`)."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock

from bot.ops import Database, Pool
from bot.ops.plan import Capacity
from bot.ops.views import PoolListing, PoolView
from bot.slack.renderers.blocks import MAX_SECTION, check_message, warning_lines
from bot.slack.renderers.mrkdwn import TEXT_LIMIT, clip, code, escape

__all__ = [
    "MAX_PAGES",
    "Page",
    "capacity_line",
    "db_list_pages",
    "db_list_text",
    "pages",
    "pool_list_pages",
    "pool_list_text",
    "pool_show_blocks",
]

MAX_PAGES = 5  # a response_url takes five answers
_PAGE_BODY = TEXT_LIMIT - 400  # room for the title and the footer


def capacity_line(name: str, capacity: Capacity | None) -> str:
    if capacity is None:
        return f"Backend connections of {escape(name)}: unknown (its node size is not one the bot knows)."
    return (
        f"Backend connections of {escape(name)}: {capacity.used} of {capacity.total} used by pools, "
        f"{capacity.left} left."
    )


def _pool_line(pool: Pool) -> str:
    user = f", user {code(pool.user)}" if pool.user else ""
    return f"• {code(pool.name)}: {escape(str(pool.mode))}, size {pool.size}, db {code(pool.db)}{user}"


def _chunks(lines: list[str], limit: int = MAX_SECTION) -> list[str]:
    """Join lines into texts of at most `limit` characters (a line longer than that is clipped)."""
    chunks: list[str] = []
    current = ""
    for line in lines:
        if current and len(current) + 1 + len(line) > limit:
            chunks.append(current)
            current = ""
        current = f"{current}\n{line}" if current else clip(line, limit)
    if current:
        chunks.append(current)
    return chunks


@dataclass(frozen=True)
class Page:
    """One answer of a listing: its notification text and its blocks (within Slack's 4,000 characters)."""

    text: str
    blocks: list[Block]


def pages(text: str, title: str, lines: list[str], footer: str, noun: str) -> list[Page]:
    """A listing as at most `MAX_PAGES` answers, each within `TEXT_LIMIT` characters of text; what does not
    fit in them is counted in the last page's footer. `text` is the notification text, a sentence ending in
    a full stop; `lines` are mrkdwn, already escaped. Without a `title` (the first line heads the answer)
    or a `footer`, the page has no such block."""
    bodies = _chunks(lines, _PAGE_BODY)
    shown = bodies[:MAX_PAGES]
    left_out = sum(body.count("\n") + 1 for body in bodies[MAX_PAGES:])
    answers = []
    for number, body in enumerate(shown, start=1):
        where = f" (page {number} of {len(shown)})" if len(shown) > 1 else ""
        blocks: list[Block] = []
        if title:
            blocks.append(SectionBlock(text=MarkdownTextObject(text=clip(title, 150) + where)))
        blocks += [SectionBlock(text=MarkdownTextObject(text=chunk)) for chunk in _chunks(body.split("\n"))]
        note = footer
        if number == len(shown) and left_out:
            note = f"{left_out} more {noun} not shown (list shortened). {footer}"
        if note:
            blocks.append(ContextBlock(elements=[MarkdownTextObject(text=clip(note, 200))]))
        answers.append(Page(f"{text[:-1]}{where}." if where else text, check_message(blocks)))
    return answers


def pool_list_text(listing: PoolListing) -> str:
    count = len(listing.pools)
    return f"{escape(listing.cluster.name)} has {count} connection pool{'s' if count != 1 else ''}."


def pool_list_pages(listing: PoolListing) -> list[Page]:
    name = listing.cluster.name
    lines = [_pool_line(p) for p in listing.pools] or ["(no pools)"]
    footer = capacity_line(name, listing.capacity)
    return pages(pool_list_text(listing), f"*Connection pools on {escape(name)}*", lines, footer, "pools")


def pool_show_blocks(view: PoolView) -> list[Block]:
    pool = view.pool
    fields = [
        MarkdownTextObject(text=f"*Mode*\n{escape(str(pool.mode))}"),
        MarkdownTextObject(text=f"*Size*\n{pool.size}"),
        MarkdownTextObject(text=f"*Database*\n{code(pool.db)}"),
        MarkdownTextObject(text=f"*User*\n{code(pool.user) if pool.user else '(the connecting user)'}"),
    ]
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(text=f"*Pool {code(pool.name)} on {escape(view.cluster.name)}*")
        ),
        SectionBlock(fields=fields),
    ]
    if view.warnings:
        blocks.append(
            SectionBlock(text=MarkdownTextObject(text=clip(warning_lines(view.warnings), MAX_SECTION)))
        )
    blocks.append(
        ContextBlock(elements=[MarkdownTextObject(text=capacity_line(view.cluster.name, view.capacity))])
    )
    return check_message(blocks)


def pool_show_text(view: PoolView) -> str:
    return f"Pool {escape(view.pool.name)} on {escape(view.cluster.name)}: size {view.pool.size}."


def db_list_text(cluster: str, databases: list[Database]) -> str:
    count = len(databases)
    return f"{escape(cluster)} has {count} database{'s' if count != 1 else ''}."


def db_list_pages(cluster: str, databases: list[Database]) -> list[Page]:
    lines = [f"• {code(db.name)}" for db in databases] or ["(no databases)"]
    count = len(databases)
    footer = f"{count} database{'s' if count != 1 else ''}."
    title = f"*Databases on {escape(cluster)}*"
    return pages(db_list_text(cluster, databases), title, lines, footer, "databases")
