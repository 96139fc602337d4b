"""Fixtures of the gateway's tests: a node's and the hub's gateway over fake channels, for the REST API
(``node``, ``hub``) and for the web app (``web``, ``hub_web``; see tests/gateway/web_support.py)."""
from __future__ import annotations

import pytest

from gateway.app import create_app
from services.common.settings import load
from tests.gateway.test_gateway_unit import FakeChannel, FakeVerifier
from tests.gateway.web_support import web_app


@pytest.fixture
def channels():
    return {name: FakeChannel() for name in ("membership", "events", "referral", "reporting")}


@pytest.fixture
def node(tmp_path, channels):
    """A node's gateway (organisation mir) for the REST API."""
    settings = load("gateway", {"BROBYGGER_ORG": "mir", "BROBYGGER_GATEWAY_MODE": "node",
                                "BROBYGGER_WEB_SESSION_DIR": str(tmp_path / "sessions")})
    return create_app(settings, verifier=FakeVerifier(), channels=channels).test_client()


@pytest.fixture
def hub(tmp_path, hub_channel):
    settings = load("gateway", {"BROBYGGER_GATEWAY_MODE": "hub", "BROBYGGER_WEB_SESSION_DIR": str(tmp_path / "sessions")},
                    needs_org=False)
    return create_app(settings, verifier=FakeVerifier(), channels={"hub": hub_channel}).test_client()


@pytest.fixture
def web(tmp_path, channels):
    """A node's web app (organisation mir) on Flask's test client. A person's page and the people list also
    read groups and roles: by default there are none (a test answers these itself to show some)."""
    from brobygger.membership.v1 import membership_pb2
    from tests.gateway.test_gateway_unit import MEMBERSHIP

    for rpc, empty in (("ListGroups", membership_pb2.ListGroupsResponse()),
                       ("ListGroupMembers", membership_pb2.ListGroupMembersResponse()),
                       ("ListRoleAssignments", membership_pb2.ListRoleAssignmentsResponse())):
        channels["membership"].on(MEMBERSHIP + rpc, lambda r, empty=empty: empty)
    return web_app(tmp_path, channels).test_client()


@pytest.fixture
def hub_channel():
    return FakeChannel()


@pytest.fixture
def hub_web(tmp_path, hub_channel):
    return web_app(tmp_path, {"hub": hub_channel}, mode="hub", org="").test_client()
