"""A spreadsheet of 10,000 members goes through the REST API (base64 in JSON) and the web page's upload, past the
1 MiB every other route keeps; a file larger than the membership service checks at once is refused with 413 and
what to do instead, in the API's English and in the page's language."""
from __future__ import annotations

import base64
import io
import json

from brobygger.membership.v1 import membership_pb2 as mp
from gateway.body_limits import IMPORT_FILE_BYTES, IMPORT_MAX_BODY_BYTES, IMPORT_MAX_ROWS, MAX_BODY_BYTES
from services.membership.adapters import spreadsheet
from tests.gateway.test_gateway_unit import MEMBERSHIP, auth, stored_person
from tests.gateway.web_support import MIR_TOKEN, csrf_token, login
from tests.import_files import HEADERS, csv_bytes, member

IMPORT = "organizations/mir/personImports/i1"


def ten_thousand_members() -> bytes:
    """10,000 members as a register exports them, with their street address and a note."""
    rows = [member(i, Adresse=f"Linderudveien {i % 90 + 1} B", Merknad="Betalt med Vipps, kvittering i perm 3")
            for i in range(10_000)]
    content = csv_bytes(rows, headers=HEADERS + ["Adresse", "Merknad"])
    assert len(content) > MAX_BODY_BYTES  # what the old limit refused, even without base64
    return content


def of_size(size: int) -> bytes:
    """A CSV of exactly size bytes: members, the last cell padded."""
    content = csv_bytes([member(i) for i in range(100)])
    return content[:-2] + b"x" * (size - len(content)) + b"\r\n"


def answering(channels):
    channels["membership"].on(MEMBERSHIP + "CreatePersonImport", lambda r: mp.PersonImport(
        name=IMPORT, state=mp.PersonImport.STATE_CHECKED, total_rows=10_000))
    channels["membership"].on(MEMBERSHIP + "ListPersonImports", lambda r: mp.ListPersonImportsResponse())


def created(channels) -> list:
    return [c[1] for c in channels["membership"].calls if c[0].endswith("/CreatePersonImport")]


def post_import(node, content: bytes, **headers):
    body = json.dumps({"content": base64.b64encode(content).decode(), "filename": "medlemmer.csv"})
    return node.post("/api/v1/person-imports", data=body, content_type="application/json", headers=auth(**headers))


def test_the_limits_are_what_the_membership_service_accepts():
    assert (IMPORT_FILE_BYTES, IMPORT_MAX_ROWS) == (spreadsheet.MAX_FILE_BYTES, spreadsheet.MAX_ROWS)
    largest = json.dumps({"content": base64.b64encode(b"x" * IMPORT_FILE_BYTES).decode(), "filename": "f" * 200})
    assert len(largest) < IMPORT_MAX_BODY_BYTES < 4 * 1024 * 1024 + 100 * 1024


def test_ten_thousand_members_go_through_the_rest_api(node, channels):
    answering(channels)
    content = ten_thousand_members()
    resp = post_import(node, content, **{"Idempotency-Key": "k-1"})
    assert resp.status_code == 201, resp.get_data(as_text=True)[:300]
    assert resp.get_json()["total_rows"] == 10_000
    [request] = created(channels)
    assert (request.content, request.filename, request.request_id) == (content, "medlemmer.csv", "k-1")


def test_the_largest_file_membership_checks_goes_through_base64_included(node, channels):
    answering(channels)
    content = of_size(IMPORT_FILE_BYTES)
    assert post_import(node, content).status_code == 201
    assert created(channels)[0].content == content


def test_a_larger_upload_is_refused_with_what_to_do(node, channels):
    answering(channels)
    resp = post_import(node, of_size(IMPORT_MAX_BODY_BYTES))  # its base64 is a third larger still
    assert resp.status_code == 413 and resp.content_type == "application/problem+json"
    problem = resp.get_json()
    assert problem["reason"] == "CONTENT_TOO_LARGE"
    assert "Split the file into several files" in problem["detail"] and "python -m services.operator import" in \
        problem["detail"] and f"{IMPORT_MAX_BODY_BYTES // 1024} KiB" in problem["detail"]
    # Chunked, without a Content-Length, the same.
    body = json.dumps({"content": base64.b64encode(of_size(IMPORT_MAX_BODY_BYTES)).decode()}).encode()
    chunked = node.post("/api/v1/person-imports", input_stream=io.BytesIO(body), content_type="application/json",
                        headers={**auth(), "Transfer-Encoding": "chunked"},
                        environ_overrides={"wsgi.input_terminated": True})
    assert chunked.status_code == 413 and "Split the file" in chunked.get_json()["detail"]
    assert created(channels) == []


def test_every_other_route_keeps_one_mebibyte(node, channels):
    channels["membership"].on(MEMBERSHIP + "RegisterPerson", stored_person)
    body = json.dumps({"given_name": "Amina", "gender": "GENDER_FEMALE"}).encode()
    at_limit = body + b" " * (MAX_BODY_BYTES - len(body))
    assert node.post("/api/v1/persons", data=at_limit, content_type="application/json",
                     headers=auth()).status_code == 201
    resp = node.post("/api/v1/persons", data=at_limit + b" ", content_type="application/json", headers=auth())
    assert resp.status_code == 413
    assert resp.get_json()["detail"] == f"The request body is larger than {MAX_BODY_BYTES // 1024} KiB."
    # Nor does another import route take more: starting an import is no upload.
    resp = node.post("/api/v1/person-imports/i1:start", data=b" " * (MAX_BODY_BYTES + 1),
                     content_type="application/json", headers=auth())
    assert resp.status_code == 413 and "KiB." in resp.get_json()["detail"]


def upload(web, content: bytes):
    return web.post("/imports", data={"csrf_token": csrf_token(web, "/imports"), "request_id": "u-1",
                                      "file": (io.BytesIO(content), "medlemmer.csv")},
                    content_type="multipart/form-data")


def test_ten_thousand_members_go_through_the_web_upload(web, channels):
    answering(channels)
    login(web, MIR_TOKEN)
    content = ten_thousand_members()
    answer = upload(web, content)
    assert answer.status_code == 302 and answer.headers["Location"] == "/imports/i1"
    assert created(channels)[0].content == content
    largest = of_size(IMPORT_FILE_BYTES)
    assert upload(web, largest).status_code == 302 and created(channels)[1].content == largest


def test_a_larger_file_is_refused_next_to_the_field_in_the_pages_language(web, channels):
    answering(channels)
    login(web, MIR_TOKEN)
    page = upload(web, of_size(IMPORT_MAX_BODY_BYTES + 1))
    text = page.get_data(as_text=True)
    assert page.status_code == 413 and 'id="e-file"' in text
    assert "Filen er for stor: høyst 3 MiB og 20\xa0000 rader kontrolleres om gangen." in text
    assert "Del den i flere filer" in text and "kommandolinjen" in text
    web.post("/language", data={"csrf_token": csrf_token(web), "lang": "en", "next": "/imports"})
    text = upload(web, of_size(IMPORT_MAX_BODY_BYTES + 1)).get_data(as_text=True)
    assert "The file is too large: at most 3 MiB and 20,000 rows are checked at once." in text
    assert created(channels) == []


def test_another_web_form_keeps_one_mebibyte(web, channels):
    login(web, MIR_TOKEN)
    page = web.post("/persons/new", data={"csrf_token": csrf_token(web, "/persons/new"),
                                          "given_name": "A" * (MAX_BODY_BYTES + 1)})
    assert page.status_code == 413
    # Starting an import is no upload: its form keeps the limit too, answered with the error page.
    page = web.post("/imports/i1/start", data={"csrf_token": csrf_token(web, "/imports"),
                                               "note": "A" * (MAX_BODY_BYTES + 1)})
    assert page.status_code == 413 and "Det du sendte er for stort" in page.get_data(as_text=True)
