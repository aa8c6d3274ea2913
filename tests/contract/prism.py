"""Stoplight Prism (`@stoplight/prism-cli` 5.x) on a free loopback port: `prism mock` of DigitalOcean's
spec, or `prism proxy` of the spec in front of the sandbox. The tests start and stop it themselves.

Prism is found through `DBOPS_PRISM` (its executable), else on PATH. Where it is not installed the
tests skip, saying how to get it; in CI (`CI=true`, where `.ci/run` installs it) they fail instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO

import httpx
import pytest

from tests.support.openapi import HOW_TO_GET_IT, spec_path

PRISM_ENV = "DBOPS_PRISM"
HOW_TO_GET_PRISM = (
    "Stoplight Prism is not installed: run `npm install --prefix /tmp/prism @stoplight/prism-cli@5.14.2` "
    "and set DBOPS_PRISM=/tmp/prism/node_modules/.bin/prism (.ci/run installs it in CI)"
)
START_TIMEOUT = 90.0  # seconds; Prism (Node.js) needs a few on a busy machine


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: the Prism contract tests must run in CI)")
    pytest.skip(reason)


def prism_executable() -> str:
    """Prism's executable; skips (fails under CI=true) when it is not installed."""
    configured = os.environ.get(PRISM_ENV)
    if configured:
        if not Path(configured).is_file():
            _unavailable(f"{PRISM_ENV}={configured} is not a file; {HOW_TO_GET_PRISM}")
        return configured
    found = shutil.which("prism")
    if found is None:
        _unavailable(HOW_TO_GET_PRISM)
    assert found is not None
    return found


def the_spec() -> Path:
    path = spec_path()
    if path is None or not path.is_file():
        _unavailable(HOW_TO_GET_IT)
    assert path is not None
    return path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.asynccontextmanager
async def run_prism(*args: str) -> AsyncIterator[str]:
    """Run `prism <args> -h 127.0.0.1 -p <free port>`; yields its base URL once it answers, then stops it."""
    executable = prism_executable()
    port = _free_port()
    with tempfile.TemporaryFile() as output:
        process = await asyncio.create_subprocess_exec(
            executable,
            *args,
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "--verboseLevel",
            "warn",
            stdout=output,
            stderr=output,
            stdin=asyncio.subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            await _wait_until_up(process, url, output)
            yield url
        finally:
            if process.returncode is None:
                process.terminate()
                try:
                    await asyncio.wait_for(process.wait(), 10)
                except TimeoutError:
                    process.kill()
                    await process.wait()


async def _wait_until_up(process: asyncio.subprocess.Process, url: str, output: IO[bytes]) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_TIMEOUT
    async with httpx.AsyncClient(timeout=2.0) as http:
        while True:
            if process.returncode is not None:
                raise RuntimeError(
                    f"prism exited with {process.returncode} before it answered: {_tail(output)}"
                )
            try:
                await http.get(f"{url}/v2/databases/options")
                return
            except httpx.TransportError:
                pass
            if loop.time() > deadline:
                raise RuntimeError(f"prism did not answer within {START_TIMEOUT:.0f} s: {_tail(output)}")
            await asyncio.sleep(0.1)


def _tail(output: IO[bytes]) -> str:
    output.seek(0)
    return output.read()[-2000:].decode(errors="replace")
