"""The paths the client calls, built so that no name can ever change which endpoint is called.

A name becomes one percent-encoded path segment (`/` and every other reserved character encoded). The
segments `.` and `..` are refused, and so is an empty one: `quote` leaves dots alone and httpx removes
dot segments when it builds the URL, so `DELETE …/dbs/..` would become `DELETE /v2/databases/<cluster>`.
A name that is not valid Unicode text (a lone surrogate) cannot be encoded and is refused too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from .errors import UnexpectedError, UnsafeName

__all__ = ["cluster_path", "next_page", "segment", "unsafe_reason"]

CLUSTERS = "/v2/databases"


def unsafe_reason(name: str) -> str | None:
    """Why `name` cannot be one path segment, or None when it can."""
    if name == "":
        return "it is empty"
    if name in (".", ".."):
        return f'"{name}" is a relative path segment, which would address another endpoint'
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return "it is not valid Unicode text"
    return None


def segment(name: str) -> str:
    """`name` as exactly one percent-encoded path segment; `UnsafeName` when it cannot be one."""
    reason = unsafe_reason(name)
    if reason is not None:
        raise UnsafeName(name, reason)
    return quote(name, safe="")


def cluster_path(cluster_id: str, *segments: str) -> str:
    """The path of a cluster, or of something below it: `cluster_path(id, "pools", name)`."""
    return "/".join([CLUSTERS, *map(segment, [cluster_id, *segments])])


def next_page(body: Mapping[str, Any], path: str) -> str | None:
    """The next page of the list at `path`, from `links.pages.next`, as a path on our own base URL.

    Only the link's query (the page number and the filters) is taken: the host is never ours to choose,
    and a link to another endpoint is refused rather than followed with our token.
    """
    links = body.get("links")
    pages = links.get("pages") if isinstance(links, dict) else None
    nxt = pages.get("next") if isinstance(pages, dict) else None
    if not isinstance(nxt, str) or not nxt:
        return None
    parts = urlsplit(nxt)
    if not parts.path.endswith(path):
        raise UnexpectedError(
            200, "the next page of the list points at another endpoint", method="GET", path=path
        )
    return f"{path}?{parts.query}" if parts.query else path
