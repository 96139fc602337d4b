"""Fixtures of the web app's tests: a node's and the hub's web app over fake channels (tests/gateway/web_support.py).

test_gateway_unit.py defines its own ``channels`` and ``hub_channel``, which take precedence there."""
from __future__ import annotations

import pytest

from tests.gateway.test_gateway_unit import FakeChannel
from tests.gateway.web_support import web_app


@pytest.fixture
def channels():
    return {name: FakeChannel() for name in ("membership", "events", "referral", "reporting")}


@pytest.fixture
def web(tmp_path, channels):
    """A node's web app (organisation mir) on Flask's test client."""
    return web_app(tmp_path, channels).test_client()


@pytest.fixture
def hub_channel():
    return FakeChannel()


@pytest.fixture
def hub_web(tmp_path, hub_channel):
    return web_app(tmp_path, {"hub": hub_channel}, mode="hub", org="").test_client()
