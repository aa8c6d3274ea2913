"""The typed async client for DigitalOcean's Managed Databases API (the endpoints dbops uses).

One shared `httpx.AsyncClient` carries every call (connection reuse, explicit timeouts, a User-Agent
naming dbops). Answers are parsed into the models of `models.py`; failures become the exceptions of
`errors.py`; retries follow `retry.RetryPolicy`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from pydantic import SecretStr, TypeAdapter, ValidationError
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt

from bot import __version__

from .errors import (
    ApiError,
    NotFound,
    OutcomeUnknown,
    RateLimited,
    TransportError,
    UnexpectedError,
    error_for_status,
)
from .models import Backup, Cluster, Database, DatabaseUser, Engine, EngineOptions, Pool, PoolSpec
from .paths import cluster_path, next_page
from .retry import NOT_SENT, RetryPolicy

__all__ = ["DEFAULT_API_URL", "CallObserver", "DigitalOceanClient"]

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.digitalocean.com"
USER_AGENT = f"dbops-bot/{__version__} (+chat-ops for DigitalOcean Managed Databases)"
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)

# Called after every HTTP exchange with (operation, status); status is "error" when no answer came.
CallObserver = Callable[[str, str], None]

_T = TypeVar("_T")

_cluster = TypeAdapter(Cluster)
_clusters = TypeAdapter(list[Cluster])
_database = TypeAdapter(Database)
_databases = TypeAdapter(list[Database])
_pool = TypeAdapter(Pool)
_pools = TypeAdapter(list[Pool])
_users = TypeAdapter(list[DatabaseUser])
_backups = TypeAdapter(list[Backup])


@dataclass(frozen=True, slots=True)
class _Answer:
    """A successful exchange: the status and the JSON object DigitalOcean answered with."""

    method: str
    path: str
    status: int
    body: dict[str, Any]

    def get(self, key: str) -> Any:
        """The object under `key`, which the spec says every answer of this endpoint has."""
        if key not in self.body:
            raise _malformed(self.method, self.path, self.status, f"the answer has no `{key}` object")
        return self.body[key]

    def parse(self, adapter: TypeAdapter[_T], data: Any) -> _T:
        """`data` as a model; a malformed resource is an UnexpectedError that echoes none of its values."""
        try:
            return adapter.validate_python(data)
        except ValidationError as error:
            # `include_input=False`: the rejected input may hold passwords and connection URIs.
            problems = "; ".join(
                f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}"
                for item in error.errors(include_url=False, include_input=False)
            )
            reason = f"the answer does not match the documented shape ({problems})"
            raise _malformed(self.method, self.path, self.status, reason) from None


def _malformed(
    method: str, path: str, status: int, reason: str, request_id: str | None = None
) -> UnexpectedError | OutcomeUnknown:
    """A 2xx whose body cannot be read. For a write, DigitalOcean accepted it: its outcome is unknown
    (reconcile reads the state back); for a read, it is an unexpected answer."""
    if method != "GET":
        return OutcomeUnknown(method, path, f"DigitalOcean answered {status}, but {reason}")
    return UnexpectedError(status, reason, request_id=request_id, method=method, path=path)


class DigitalOceanClient:
    """Async client for `/v2/databases`. Build one per process and share it; close it on shutdown."""

    def __init__(
        self,
        token: SecretStr | str,
        *,
        base_url: str = DEFAULT_API_URL,
        http: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        observer: CallObserver | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        self._token = token if isinstance(token, SecretStr) else SecretStr(token)
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            transport=transport,
            timeout=timeout,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
        )
        self._retry = retry or RetryPolicy()
        self._observer = observer
        self._clock = clock
        self._sleep: Callable[[float], Awaitable[None]] = sleep or asyncio.sleep

    def __repr__(self) -> str:  # never show the token
        return f"DigitalOceanClient(base_url={str(self._http.base_url)!r})"

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> DigitalOceanClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # ---- clusters -------------------------------------------------------------------------------

    async def list_clusters(self, tag_name: str | None = None) -> list[Cluster]:
        params = {"tag_name": tag_name} if tag_name else None
        return await self._get_list(
            "list_clusters", "/v2/databases", "databases", _clusters, params=params, keep=_manageable_cluster
        )

    async def get_cluster(self, cluster_id: str) -> Cluster:
        answer = await self._call("get_cluster", "GET", cluster_path(cluster_id))
        data = answer.get("database")
        if isinstance(data, dict) and not data.get("id"):  # the spec does not require it: we asked for it
            data = {**data, "id": cluster_id}
        return answer.parse(_cluster, data)

    async def list_options(self) -> dict[Engine, EngineOptions]:
        """Node size slugs and versions per engine, from `GET /v2/databases/options`."""
        answer = await self._call("list_options", "GET", "/v2/databases/options")
        raw = answer.get("options")
        result: dict[Engine, EngineOptions] = {}
        for engine in Engine:
            entry = raw.get(engine.value) if isinstance(raw, dict) else None
            if not isinstance(entry, dict):
                continue
            sizes = {
                size
                for layout in entry.get("layouts") or []
                for size in (layout.get("sizes") or [])
                if isinstance(size, str)
            }
            versions = tuple(v for v in entry.get("versions") or [] if isinstance(v, str))
            result[engine] = EngineOptions(sizes=frozenset(sizes), versions=versions)
        return result

    # ---- users ----------------------------------------------------------------------------------

    async def list_users(self, cluster_id: str) -> list[DatabaseUser]:
        return await self._get_list("list_users", cluster_path(cluster_id, "users"), "users", _users)

    # ---- databases ------------------------------------------------------------------------------

    async def list_databases(self, cluster_id: str) -> list[Database]:
        return await self._get_list("list_databases", cluster_path(cluster_id, "dbs"), "dbs", _databases)

    async def get_database(self, cluster_id: str, name: str) -> Database:
        answer = await self._call("get_database", "GET", cluster_path(cluster_id, "dbs", name))
        return answer.parse(_database, answer.get("db"))

    async def add_database(self, cluster_id: str, name: str) -> Database:
        answer = await self._call(
            "add_database", "POST", cluster_path(cluster_id, "dbs"), json={"name": name}
        )
        return answer.parse(_database, answer.get("db"))

    async def delete_database(self, cluster_id: str, name: str) -> None:
        await self._call("delete_database", "DELETE", cluster_path(cluster_id, "dbs", name))

    # ---- backups ----------------------------------------------------------------------------------

    async def list_backups(self, cluster_id: str) -> list[Backup]:
        """The cluster's backups (DigitalOcean lists them for PostgreSQL and MySQL clusters only)."""
        answer = await self._call("list_backups", "GET", cluster_path(cluster_id, "backups"))
        return answer.parse(_backups, answer.get("backups"))

    # ---- connection pools -----------------------------------------------------------------------

    async def list_pools(self, cluster_id: str) -> list[Pool]:
        return await self._get_list("list_pools", cluster_path(cluster_id, "pools"), "pools", _pools)

    async def get_pool(self, cluster_id: str, name: str) -> Pool:
        answer = await self._call("get_pool", "GET", cluster_path(cluster_id, "pools", name))
        return answer.parse(_pool, answer.get("pool"))

    async def add_pool(self, cluster_id: str, pool: PoolSpec) -> Pool:
        answer = await self._call(
            "add_pool", "POST", cluster_path(cluster_id, "pools"), json=pool.create_body()
        )
        return answer.parse(_pool, answer.get("pool"))

    async def update_pool(self, cluster_id: str, pool: PoolSpec) -> None:
        """Replace the pool named `pool.name` with exactly `pool` (mode, size, db and user).

        DigitalOcean's PUT is not a patch: a field left out is lost (a missing `user` removes the pool's
        user). Taking the whole pool makes a resize that silently drops a field impossible to write.
        """
        await self._call(
            "update_pool", "PUT", cluster_path(cluster_id, "pools", pool.name), json=pool.update_body()
        )

    async def delete_pool(self, cluster_id: str, name: str) -> None:
        await self._call("delete_pool", "DELETE", cluster_path(cluster_id, "pools", name))

    # ---- transport ------------------------------------------------------------------------------

    async def _get_list(
        self,
        operation: str,
        path: str,
        key: str,
        adapter: TypeAdapter[list[_T]],
        *,
        params: Mapping[str, str] | None = None,
        keep: Callable[[Any], bool] | None = None,
    ) -> list[_T]:
        """Read a whole list, following `links.pages.next` (on our own base URL only) if it appears;
        `keep` drops raw items this version cannot use before they are parsed."""
        items: list[_T] = []
        next_path: str | None = path
        next_params: Mapping[str, str] | None = params
        seen: set[str] = set()
        while next_path is not None and next_path not in seen:
            seen.add(next_path)
            answer = await self._call(operation, "GET", next_path, params=next_params)
            raw = answer.body.get(key) or []
            if keep is not None and isinstance(raw, list):
                raw = [item for item in raw if keep(item)]
            page: list[_T] = answer.parse(adapter, raw)
            items.extend(page)
            next_path, next_params = next_page(answer.body, path), None
        return items

    async def _call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        json: Mapping[str, object] | None = None,
        params: Mapping[str, str] | None = None,
    ) -> _Answer:
        ambiguous = False  # an earlier attempt may have reached DigitalOcean without an answer
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._retry.attempts),
            wait=self._retry.wait,
            retry=retry_if_exception(lambda e: self._retry.should_retry(method, e)),
            reraise=True,
            sleep=self._sleep,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    try:
                        return await self._send(operation, method, path, json=json, params=params)
                    except NOT_SENT:
                        raise
                    except httpx.TransportError:
                        ambiguous = True
                        raise
                    except ApiError as error:
                        ambiguous = ambiguous or error.status >= 500
                        raise
        except NotFound as error:
            if method == "DELETE" and ambiguous:
                # A DELETE whose first attempt got no answer, then 404: most likely ours took effect.
                reason = "the resource was gone when the delete was retried"
                raise OutcomeUnknown(method, path, reason) from error
            raise
        except NOT_SENT as error:
            if ambiguous and method != "GET":
                # This attempt never left, but an earlier one may have reached DigitalOcean.
                raise OutcomeUnknown(method, path, _reason(error)) from error
            raise TransportError(method, path, _reason(error)) from error
        except httpx.TransportError as error:
            if method == "GET":
                raise TransportError(method, path, _reason(error)) from error
            raise OutcomeUnknown(method, path, _reason(error)) from error
        raise AssertionError("unreachable: tenacity either returns or raises")  # pragma: no cover

    async def _send(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        json: Mapping[str, object] | None,
        params: Mapping[str, str] | None,
    ) -> _Answer:
        headers = {"Authorization": f"Bearer {self._token.get_secret_value()}"}
        if json is not None:
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        try:
            response = await self._http.request(method, path, json=json, params=params, headers=headers)
        except httpx.TransportError as error:
            self._observe(operation, "error")
            log.warning(
                "digitalocean %s %s failed: %s",
                method,
                path,
                _reason(error),
                extra={"do_operation": operation},
            )
            raise
        elapsed_ms = (time.perf_counter() - started) * 1000
        self._observe(operation, str(response.status_code))
        log.debug(
            "digitalocean %s %s -> %s in %.0f ms",
            method,
            path,
            response.status_code,
            elapsed_ms,
            extra={"do_operation": operation, "status": response.status_code},
        )
        if response.status_code >= 400:
            raise self._error(response, method, path)
        if response.status_code == 204 or not response.content or method in ("PUT", "DELETE"):
            return _Answer(method, path, response.status_code, {})  # PUT and DELETE answer no object
        try:
            body = response.json()
        except ValueError as error:
            reason = "the answer was not JSON"
            raise _malformed(method, path, response.status_code, reason, _request_id(response)) from error
        if not isinstance(body, dict):
            reason = "the answer was not a JSON object"
            raise _malformed(method, path, response.status_code, reason, _request_id(response))
        return _Answer(method, path, response.status_code, body)

    def _error(self, response: httpx.Response, method: str, path: str) -> ApiError:
        status = response.status_code
        error_id: str | None = None
        request_id = _request_id(response)
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and isinstance(body.get("message"), str):
            message = body["message"]
            error_id = body.get("id") if isinstance(body.get("id"), str) else None
            request_id = body.get("request_id") if isinstance(body.get("request_id"), str) else request_id
            cls = error_for_status(status)
        else:
            # Not DigitalOcean's {id, message} body: a proxy page, an empty answer, HTML…
            message = f"HTTP {status} with a body that is not DigitalOcean's error JSON"
            cls = error_for_status(status) if status == 429 else UnexpectedError
        if cls is RateLimited:
            return RateLimited(
                status,
                message,
                retry_after=self._retry_after(response),
                error_id=error_id,
                request_id=request_id,
                method=method,
                path=path,
            )
        return cls(status, message, error_id=error_id, request_id=request_id, method=method, path=path)

    def _retry_after(self, response: httpx.Response) -> float:
        """Seconds to wait: `retry-after` on a burst limit, else until `ratelimit-reset` (epoch)."""
        retry_after = response.headers.get("retry-after")
        if retry_after is not None:
            try:
                return max(0.0, float(retry_after))
            except ValueError:
                pass
        reset = response.headers.get("ratelimit-reset")
        if reset is not None:
            try:
                return max(0.0, float(reset) - self._clock())
            except ValueError:
                pass
        return 1.0

    def _observe(self, operation: str, status: str) -> None:
        if self._observer is not None:
            self._observer(operation, status)


def _request_id(response: httpx.Response) -> str | None:
    value = response.headers.get("x-request-id")
    return str(value) if value is not None else None


def _reason(error: Exception) -> str:
    return type(error).__name__ + (f": {error}" if str(error) else "")


_ENGINES = frozenset(engine.value for engine in Engine)


def _manageable_cluster(item: Any) -> bool:
    """A cluster dbops cannot address or does not know is left out of the list (and logged), so the
    clusters it can manage are still listed: one without an `id` (the spec does not require it), or of
    an engine DigitalOcean added after this version."""
    if not isinstance(item, dict):
        return True  # parsing refuses it, saying why
    name = item.get("name")
    if not isinstance(item.get("id"), str) or not item["id"]:
        log.warning("leaving out cluster %s: DigitalOcean's answer gives it no id", name)
        return False
    engine = item.get("engine")
    if engine in _ENGINES:
        return True
    log.warning("leaving out cluster %s: its engine %r is not one this version of dbops knows", name, engine)
    return False
