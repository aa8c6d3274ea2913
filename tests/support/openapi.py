"""Check HTTP exchanges against DigitalOcean's official OpenAPI spec (openapi-core).

The spec stays outside the project: it is read from `DBOPS_DO_SPEC`, else from
`../shared/digitalocean/databases-openapi.yaml` beside the checkout (where CI has it). Elsewhere the
contract tests skip, saying how to get it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import httpx
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

SPEC_ENV = "DBOPS_DO_SPEC"
SPEC_HOST = "https://api.digitalocean.com"
HOW_TO_GET_IT = (
    "DigitalOcean's OpenAPI spec is not available: set DBOPS_DO_SPEC to a bundled copy of "
    "specification/DigitalOcean-public.v2.yaml from github.com/digitalocean/openapi "
    "(or put the project beside ../shared/digitalocean/databases-openapi.yaml)"
)


def spec_path() -> Path | None:
    env = os.environ.get(SPEC_ENV)
    if env:
        return Path(env)
    beside = Path(__file__).resolve().parents[3] / "shared" / "digitalocean" / "databases-openapi.yaml"
    return beside if beside.is_file() else None


@cache
def load_spec() -> OpenAPI | None:
    path = spec_path()
    return OpenAPI.from_file_path(str(path)) if path and path.is_file() else None


@dataclass
class _Request:
    method: str
    path: str
    body: bytes | None
    content_type: str
    parameters: RequestParameters = field(default_factory=RequestParameters)
    host_url: str = SPEC_HOST

    @property
    def full_url_pattern(self) -> str:
        return self.host_url + self.path


@dataclass
class _Response:
    status_code: int
    data: bytes | None
    content_type: str
    headers: Headers


def as_spec_request(request: httpx.Request) -> _Request:
    """An httpx request (to any host: respx, the sandbox) as openapi-core sees it, on the spec's host."""
    query = ImmutableMultiDict(list(request.url.params.multi_items()))
    headers = Headers([(k, v) for k, v in request.headers.items()])
    return _Request(
        method=request.method.lower(),
        path=request.url.path,
        body=request.content or None,
        content_type=request.headers.get("content-type", "application/json").split(";")[0],
        parameters=RequestParameters(query=query, header=headers),
    )


def as_spec_response(response: httpx.Response) -> _Response:
    return _Response(
        status_code=response.status_code,
        data=response.content or None,
        content_type=response.headers.get("content-type", "application/json").split(";")[0],
        headers=Headers([(k, v) for k, v in response.headers.items()]),
    )


def validate_request(spec: OpenAPI, request: httpx.Request) -> None:
    """Raise if `request` is not one the spec allows (path, method, auth, parameters, body)."""
    spec.validate_request(as_spec_request(request))


def validate_response(spec: OpenAPI, request: httpx.Request, response: httpx.Response) -> None:
    """Raise if `response` is not one the spec documents for `request` (status, headers, body)."""
    spec.validate_response(as_spec_request(request), as_spec_response(response))
