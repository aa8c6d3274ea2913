"""Answers to the reads: `/pool list`, `/pool show`, `/db list` (Block Kit, every name escaped)."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock

from bot.ops import Database, Pool
from bot.ops.plan import Capacity
from bot.ops.views import PoolListing, PoolView

from .blocks import MAX_MESSAGE_BLOCKS, check_message
from .mrkdwn import code, escape

__all__ = [
    "capacity_line",
    "db_list_blocks",
    "db_list_text",
    "pool_list_blocks",
    "pool_list_text",
    "pool_show_blocks",
]

_MAX_SECTION = 3000


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


def _chunks(lines: list[str], limit: int = _MAX_SECTION) -> list[str]:
    """Join lines into texts of at most `limit` characters (a section's limit)."""
    chunks: list[str] = []
    current = ""
    for line in lines:
        if current and len(current) + 1 + len(line) > limit:
            chunks.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line[:limit]
    if current:
        chunks.append(current)
    return chunks


def _sections(title: str, lines: list[str], footer: str) -> list[Block]:
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=title))]
    body = _chunks(lines)
    room = MAX_MESSAGE_BLOCKS - 2
    blocks.extend(SectionBlock(text=MarkdownTextObject(text=chunk)) for chunk in body[:room])
    if len(body) > room:
        footer = f"(list shortened) {footer}"
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=footer)]))
    return check_message(blocks)


def pool_list_text(listing: PoolListing) -> str:
    count = len(listing.pools)
    return f"{escape(listing.cluster.name)} has {count} connection pool{'s' if count != 1 else ''}."


def pool_list_blocks(listing: PoolListing) -> list[Block]:
    name = listing.cluster.name
    lines = [_pool_line(p) for p in listing.pools] or ["(no pools)"]
    return _sections(f"*Connection pools on {escape(name)}*", lines, capacity_line(name, listing.capacity))


def pool_show_blocks(view: PoolView) -> list[Block]:
    pool = view.pool
    fields = [
        MarkdownTextObject(text=f"*Mode*\n{escape(str(pool.mode))}"),
        MarkdownTextObject(text=f"*Size*\n{pool.size}"),
        MarkdownTextObject(text=f"*Database*\n{code(pool.db)}"),
        MarkdownTextObject(text=f"*User*\n{code(pool.user) if pool.user else '(the connecting user)'}"),
    ]
    return check_message(
        [
            SectionBlock(
                text=MarkdownTextObject(text=f"*Pool {code(pool.name)} on {escape(view.cluster.name)}*")
            ),
            SectionBlock(fields=fields),
            ContextBlock(elements=[MarkdownTextObject(text=capacity_line(view.cluster.name, view.capacity))]),
        ]
    )


def pool_show_text(view: PoolView) -> str:
    return f"Pool {escape(view.pool.name)} on {escape(view.cluster.name)}: size {view.pool.size}."


def db_list_text(cluster: str, databases: list[Database]) -> str:
    count = len(databases)
    return f"{escape(cluster)} has {count} database{'s' if count != 1 else ''}."


def db_list_blocks(cluster: str, databases: list[Database]) -> list[Block]:
    lines = [f"• {code(db.name)}" for db in databases] or ["(no databases)"]
    count = len(databases)
    return _sections(
        f"*Databases on {escape(cluster)}*", lines, f"{count} database{'s' if count != 1 else ''}."
    )
