"""Fixtures shared by every layer's tests."""

from __future__ import annotations

import pytest
from openapi_core import OpenAPI

from tests.support.openapi import HOW_TO_GET_IT, load_spec

pytest_plugins = ["tests.support.clocks"]


@pytest.fixture(scope="session")
def do_spec() -> OpenAPI:
    """DigitalOcean's official spec; the test skips (saying how to get it) where it is not available."""
    spec = load_spec()
    if spec is None:
        pytest.skip(HOW_TO_GET_IT)
    return spec
