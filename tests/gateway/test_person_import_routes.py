"""The import routes over fake channels: each REST call becomes the right membership request (the file as
base64 JSON bytes), and answers and refusals come back as JSON and problems."""
from __future__ import annotations

import base64

import grpc

from brobygger.membership.v1 import membership_pb2
from tests.gateway.test_gateway_unit import MEMBERSHIP, auth, rich_error
from tests.import_files import csv_bytes, member

NAME = "organizations/mir/personImports/i1"


def sent(channels):
    [(method, request, _)] = channels["membership"].calls
    return method.rsplit("/", 1)[1], request


def test_check_a_file(node, channels):
    content = csv_bytes([member(0)])
    channels["membership"].on(MEMBERSHIP + "CreatePersonImport", lambda r: membership_pb2.PersonImport(
        name=NAME, state=membership_pb2.PersonImport.STATE_CHECKED, total_rows=1,
        planned=membership_pb2.ImportCounts(new_rows=1)))
    resp = node.post("/api/v1/person-imports", headers=auth(**{"Idempotency-Key": "c-1"}),
                     json={"content": base64.b64encode(content).decode(), "filename": "medlemmer.csv"})
    assert resp.status_code == 201
    body = resp.get_json()
    assert (body["name"], body["state"], body["planned"]["new_rows"]) == (NAME, "STATE_CHECKED", 1)
    rpc, request = sent(channels)
    assert (rpc, request.parent, request.content, request.filename, request.request_id) == (
        "CreatePersonImport", "organizations/mir", content, "medlemmer.csv", "c-1")


def test_a_file_that_cannot_be_read_is_a_problem_naming_content(node, channels):
    def refuse(request):
        raise rich_error(grpc.StatusCode.INVALID_ARGUMENT, "MISSING_COLUMNS",
                         "The file has no column Fornavn: the first row must hold the column headers.",
                         [("content", "a column Fornavn")])

    channels["membership"].on(MEMBERSHIP + "CreatePersonImport", refuse)
    resp = node.post("/api/v1/person-imports", headers=auth(), json={"content": base64.b64encode(b"x").decode()})
    assert resp.status_code == 400 and resp.get_json()["reason"] == "MISSING_COLUMNS"
    assert resp.headers["Content-Type"].startswith("application/problem+json")


def test_start_read_and_list_rows(node, channels):
    mp = membership_pb2
    channels["membership"].on(MEMBERSHIP + "StartPersonImport", lambda r: mp.PersonImport(
        name=r.name, state=mp.PersonImport.STATE_RUNNING, on_error=r.on_error))
    resp = node.post("/api/v1/person-imports/i1:start", json={"on_error": "ON_ERROR_STOP"},
                     headers=auth(**{"Idempotency-Key": "s-1"}))
    assert resp.status_code == 200 and resp.get_json()["state"] == "STATE_RUNNING"
    rpc, request = sent(channels)
    assert (rpc, request.name, request.on_error, request.request_id) == (
        "StartPersonImport", NAME, mp.ON_ERROR_STOP, "s-1")

    channels["membership"].calls.clear()
    channels["membership"].on(MEMBERSHIP + "GetPersonImport", lambda r: mp.PersonImport(
        name=r.name, total_rows=10, processed_rows=4))
    assert node.get("/api/v1/person-imports/i1", headers=auth()).get_json()["processed_rows"] == 4

    channels["membership"].calls.clear()
    channels["membership"].on(MEMBERSHIP + "ListPersonImportRows", lambda r: mp.ListPersonImportRowsResponse(rows=[
        mp.PersonImportRow(name=f"{NAME}/rows/3", row_number=3, plan=mp.PersonImportRow.PLAN_INVALID, problems=[
            mp.ImportProblem(column="E-post", code="EMAIL_INVALID", message="must be an e-mail address")])]))
    resp = node.get("/api/v1/person-imports/i1/rows?problems_only=true&page_size=500", headers=auth())
    [row] = resp.get_json()["rows"]
    assert (row["row_number"], row["plan"], row["problems"][0]["column"]) == (3, "PLAN_INVALID", "E-post")
    rpc, request = sent(channels)
    assert (request.parent, request.problems_only, request.page_size) == (NAME, True, 500)


def test_rows_page_size_is_checked_at_the_gateway(node, channels):
    resp = node.get("/api/v1/person-imports/i1/rows?page_size=5000", headers=auth())
    assert resp.status_code == 400 and channels["membership"].calls == []


def test_list_imports(node, channels):
    channels["membership"].on(MEMBERSHIP + "ListPersonImports", lambda r: membership_pb2.ListPersonImportsResponse(
        person_imports=[membership_pb2.PersonImport(name=NAME)], next_page_token="t2"))
    body = node.get("/api/v1/person-imports?page_size=5", headers=auth()).get_json()
    assert body["person_imports"][0]["name"] == NAME and body["next_page_token"] == "t2"
    rpc, request = sent(channels)
    assert (rpc, request.parent, request.page_size) == ("ListPersonImports", "organizations/mir", 5)
