"""Child processes the benchmarks drive: `python -m bot serve`, the bare bolt app, the sandbox, the Slack
stand-in. Each listens on a free loopback port, logs to a file, and is stopped with SIGTERM (its own pid).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

__all__ = [
    "BOT_TOKEN",
    "RESULTS",
    "ROOT",
    "SECRET",
    "Served",
    "free_port",
    "serve_bare",
    "serve_bot",
    "serve_sandbox",
    "serve_slack",
    "write_results",
]

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
PYTHON = sys.executable
SECRET = "bench-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-bench-token"
_START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Served:
    """A running child process: its base URL, its log, and its memory."""

    name: str
    process: asyncio.subprocess.Process
    url: str
    log: Path
    info: dict[str, str]

    @property
    def pid(self) -> int:
        return self.process.pid

    def rss_mb(self) -> float:
        return float(psutil.Process(self.pid).memory_info().rss) / 2**20

    def peak_rss_mb(self) -> float:
        """The kernel's high-water mark of the process's resident set (VmHWM), in MiB."""
        status = Path(f"/proc/{self.pid}/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return self.rss_mb()  # not Linux: the current RSS is the best we can say

    def log_tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


async def _stop(process: asyncio.subprocess.Process, timeout: float = 30.0) -> None:
    if process.returncode is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), timeout)
    except TimeoutError:
        process.kill()
        await process.wait()


async def _wait_http(served: Served, path: str, *, any_status: bool = False) -> None:
    deadline = time.monotonic() + _START_TIMEOUT
    async with httpx.AsyncClient(base_url=served.url, timeout=2.0) as client:
        while time.monotonic() < deadline:
            if served.process.returncode is not None:
                raise RuntimeError(
                    f"{served.name} exited with {served.process.returncode}:\n{served.log_tail()}"
                )
            with contextlib.suppress(httpx.TransportError):
                response = await client.get(path)
                if any_status or response.status_code == 200:
                    return
            await asyncio.sleep(0.05)
    raise RuntimeError(
        f"{served.name} did not answer {path} within {_START_TIMEOUT:.0f} s:\n{served.log_tail()}"
    )


@contextlib.asynccontextmanager
async def _child(
    name: str, args: list[str], *, env: Mapping[str, str], workdir: Path, port: int
) -> AsyncIterator[Served]:
    log = workdir / f"{name}.log"
    with log.open("wb") as sink:
        # cwd is the scratch directory: no developer's .env is read by the child
        # the bot's own settings come only from `env`: Socket Mode and a policy file are left out
        base = {k: v for k, v in os.environ.items() if k not in ("SLACK_APP_TOKEN", "CHATOPS_POLICY")}
        base["PYTHONPATH"] = _python_path()  # this checkout, whatever the virtualenv's install points at
        process = await asyncio.create_subprocess_exec(
            PYTHON, *args, cwd=workdir, env={**base, **env}, stdout=sink, stderr=asyncio.subprocess.STDOUT
        )
    served = Served(name, process, f"http://127.0.0.1:{port}", log, {})
    try:
        yield served
    finally:
        await _stop(process)


def _python_path() -> str:
    current = os.environ.get("PYTHONPATH", "")
    return f"{ROOT}{os.pathsep}{current}" if current else str(ROOT)


@contextlib.asynccontextmanager
async def serve_sandbox(workdir: Path, *, latency: float = 0.0) -> AsyncIterator[Served]:
    """`python -m bot.sandbox --port N --latency S`: the seeded DigitalOcean stand-in."""
    port = free_port()
    args = ["-m", "bot.sandbox", "--port", str(port), "--latency", str(latency), "--log-level", "warning"]
    async with _child(f"sandbox-{latency:g}s", args, env={}, workdir=workdir, port=port) as served:
        await _wait_http(served, "/v2/databases", any_status=True)
        yield served


@contextlib.asynccontextmanager
async def serve_bot(
    workdir: Path,
    *,
    slack_api_url: str,
    digitalocean_url: str,
    database_url: str,
    name: str = "dbops",
    log_level: str = "INFO",
) -> AsyncIterator[Served]:
    """`python -m bot serve` in HTTP mode on uvicorn, as deployed."""
    port = free_port()
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack_api_url,
        "DIGITALOCEAN_API_URL": digitalocean_url,
        "DIGITALOCEAN_TOKEN": "sandbox-token",
        "DATABASE_URL": database_url,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "LOG_LEVEL": log_level,
        "LOG_FORMAT": "json",
    }
    async with _child(name, ["-m", "bot", "serve"], env=env, workdir=workdir, port=port) as served:
        await _wait_http(served, "/readyz")
        yield served


@contextlib.asynccontextmanager
async def serve_bare(workdir: Path, *, slack_api_url: str) -> AsyncIterator[Served]:
    """`python -m benchmarks.bare_app`: a bolt AsyncApp that only acks, on the same uvicorn settings."""
    port = free_port()
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack_api_url,
    }
    args = ["-m", "benchmarks.bare_app", "--port", str(port)]
    async with _child("bare", args, env=env, workdir=workdir, port=port) as served:
        await _wait_http(served, "/healthz")
        yield served


@contextlib.asynccontextmanager
async def serve_slack(workdir: Path) -> AsyncIterator[Served]:
    """`python -m benchmarks.slack_process`: the Slack Web API stand-in in its own process, with a control
    endpoint (`/bench/summary`) reporting what the bot did."""
    port = free_port()
    args = ["-m", "benchmarks.slack_process", "--control-port", str(port)]
    async with _child("slack", args, env={}, workdir=workdir, port=port) as served:
        await _wait_http(served, "/bench/summary")
        async with httpx.AsyncClient(base_url=served.url) as client:
            served.info = dict((await client.get("/bench/urls")).json())
        yield served


def write_results(directory: Path, name: str, data: object) -> Path:
    """Write `data` as `<directory>/<name>.json`; returns the path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    return path
