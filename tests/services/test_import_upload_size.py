"""A spreadsheet as large as the membership service checks goes from the gateway's REST route and web upload
to the real membership service over gRPC (SQLite and PostgreSQL): the request, base64 decoded, is one gRPC
message within the 4 MiB the service's server receives."""
from __future__ import annotations

import base64
import json

import pytest

from brobygger.membership.v1 import membership_pb2
from gateway.app import create_app
from gateway.body_limits import IMPORT_FILE_BYTES, MAX_BODY_BYTES
from services.common.settings import load
from tests.import_files import HEADERS, csv_bytes, member
from tests.services.test_membership import node  # noqa: F401

ROWS = 10_000


def largest_file() -> bytes:
    """10,000 valid members whose notes fill the file to just under what membership accepts."""
    rows = [member(i) for i in range(ROWS)]
    plain = csv_bytes(rows, headers=HEADERS + ["Merknad"])
    note = (IMPORT_FILE_BYTES - len(plain)) // ROWS
    content = csv_bytes([dict(r, Merknad="n" * note) for r in rows], headers=HEADERS + ["Merknad"])
    assert IMPORT_FILE_BYTES - ROWS < len(content) <= IMPORT_FILE_BYTES
    return content


@pytest.fixture
def gateway(node, issuer, tmp_path):  # noqa: F811
    settings = load("gateway", {"BROBYGGER_ENV": "development", "BROBYGGER_ORG": "mir",
                                "BROBYGGER_GATEWAY_MODE": "node", "BROBYGGER_OIDC_ISSUER": issuer.url,
                                "BROBYGGER_WEB_SESSION_DIR": str(tmp_path / "sessions"),
                                **{f"BROBYGGER_{s}_ADDRESS": node.address
                                   for s in ("MEMBERSHIP", "EVENTS", "REFERRAL", "REPORTING")}})
    app = create_app(settings)
    yield app
    app.extensions["brobygger_gateway"].close()


def test_the_largest_file_reaches_membership_through_rest_and_is_checked(gateway, issuer):
    content = largest_file()
    body = json.dumps({"content": base64.b64encode(content).decode(), "filename": "medlemmer.csv"})
    assert len(body) > 4 * MAX_BODY_BYTES - ROWS  # four times what every other route takes
    message = membership_pb2.CreatePersonImportRequest(parent="organizations/mir", content=content,
                                                       filename="medlemmer.csv", request_id="k" * 100)
    assert 3 * 1024 * 1024 - ROWS < message.ByteSize() < 4 * 1024 * 1024  # the gRPC message membership receives
    resp = gateway.test_client().post("/api/v1/person-imports", data=body, content_type="application/json",
                                      headers={"Authorization": f"Bearer {issuer.token('coordinator-mir')}"})
    assert resp.status_code == 201, resp.get_data(as_text=True)[:500]
    job = resp.get_json()
    assert job["state"] == "STATE_CHECKED" and job["total_rows"] == ROWS
    assert job["planned"]["new_rows"] == ROWS and job["unrecognized_columns"] == ["Merknad"]
