"""Serving the sandbox over real HTTP with uvicorn: on a fixed port, or on a free loopback port for tests."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator

import uvicorn
from starlette.types import ASGIApp

__all__ = ["serve", "serve_in_background"]


def _config(app: ASGIApp, host: str, port: int, log_level: str) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        access_log=log_level == "debug",
        lifespan="off",
        timeout_graceful_shutdown=1,
    )


def serve(app: ASGIApp, *, host: str = "127.0.0.1", port: int = 4010, log_level: str = "info") -> None:
    """Serve `app` until interrupted (blocking)."""
    uvicorn.Server(_config(app, host, port, log_level)).run()


@contextlib.asynccontextmanager
async def serve_in_background(
    app: ASGIApp, *, host: str = "127.0.0.1", log_level: str = "warning"
) -> AsyncIterator[str]:
    """Serve `app` on a free port of `host` on the running event loop; yields its base URL.

    The socket is bound before the server starts, so the URL is valid as soon as it is yielded.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # else small answers wait ~40 ms (Nagle)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(_config(app, host, port, log_level))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                await task  # raise why it could not start
                raise RuntimeError("the sandbox server stopped before it started")
            await asyncio.sleep(0.005)
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()
