"""The import pages on Flask's test client over fake channels: upload, the dry run's report with each row's
problems in the page's language, starting, the progress page, the final report and its CSV."""
from __future__ import annotations

import io

import grpc

from brobygger.membership.v1 import membership_pb2 as mp
from tests.gateway.test_web_persons import MEMBERSHIP
from tests.gateway.web_support import MIR_TOKEN, VOLUNTEER_TOKEN, csrf_token, login, rich_error
from tests.import_files import csv_bytes, member

NAME = "organizations/mir/personImports/i1"
Row = mp.PersonImportRow
ROWS = [Row(name=f"{NAME}/rows/3", row_number=3, plan=Row.PLAN_INVALID, problems=[
            mp.ImportProblem(column="E-post", code="EMAIL_INVALID", message="must be an e-mail address")]),
        Row(name=f"{NAME}/rows/4", row_number=4, plan=Row.PLAN_DUPLICATE_SUSPECTED, problems=[
            mp.ImportProblem(column="Fornavn", code="DUPLICATE_IN_FILE", message="an earlier row", other_row=2)])]


def checked(**kw):
    fields = dict(name=NAME, state=mp.PersonImport.STATE_CHECKED, file_format="csv", encoding="cp1252",
                  delimiter=";", total_rows=3, columns=[mp.ImportColumn(header="Fornavn", field="given_name")],
                  unrecognized_columns=["Merknad"], planned=mp.ImportCounts(new_rows=1, invalid_rows=1,
                                                                            duplicate_rows=1))
    fields.update(kw)
    return mp.PersonImport(**fields)


def calls(channels, rpc):
    return [c[1] for c in channels["membership"].calls if c[0].endswith("/" + rpc)]


def test_upload_check_and_read_the_dry_run_in_bokmal(web, channels):
    m = channels["membership"]
    m.on(MEMBERSHIP + "CreatePersonImport", lambda r: checked())
    m.on(MEMBERSHIP + "GetPersonImport", lambda r: checked())
    m.on(MEMBERSHIP + "ListPersonImportRows", lambda r: mp.ListPersonImportRowsResponse(rows=ROWS))
    m.on(MEMBERSHIP + "ListPersonImports", lambda r: mp.ListPersonImportsResponse())
    login(web, MIR_TOKEN)
    page = web.get("/imports").get_data(as_text=True)
    assert "Importer medlemmer" in page and 'enctype="multipart/form-data"' in page
    content = csv_bytes([member(0)])
    answer = web.post("/imports", data={"csrf_token": csrf_token(web, "/imports"), "request_id": "u-1",
                                        "file": (io.BytesIO(content), "medlemmer.csv")},
                      content_type="multipart/form-data")
    assert answer.status_code == 302 and answer.headers["Location"] == "/imports/i1"
    [create] = calls(channels, "CreatePersonImport")
    assert (create.content, create.filename, create.request_id) == (content, "medlemmer.csv", "u-1")
    report = web.get("/imports/i1").get_data(as_text=True)
    assert "Kontroll av filen" in report and "Merknad" in report
    assert "Rad 3" in report and "Ikke en e-postadresse" in report and "E-post" in report
    assert "Rad 2 har samme navn" in report and "Mulig dublett" in report
    assert 'http-equiv="refresh"' not in report and "Importer 1 rader" in report
    [listing] = calls(channels, "ListPersonImportRows")
    assert listing.problems_only and listing.parent == NAME


def test_a_file_the_service_refuses_is_named_next_to_the_field(web, channels):
    def refuse(request):
        raise rich_error(grpc.StatusCode.INVALID_ARGUMENT, "MISSING_COLUMNS",
                         "The file has no column Fornavn.", [("content", "a column Fornavn")])

    channels["membership"].on(MEMBERSHIP + "CreatePersonImport", refuse)
    channels["membership"].on(MEMBERSHIP + "ListPersonImports", lambda r: mp.ListPersonImportsResponse())
    login(web, MIR_TOKEN)
    token = csrf_token(web, "/imports")
    empty = web.post("/imports", data={"csrf_token": token}, content_type="multipart/form-data")
    assert empty.status_code == 400 and "Velg filen" in empty.get_data(as_text=True)
    page = web.post("/imports", data={"csrf_token": token, "file": (io.BytesIO(b"Navn\r\nA\r\n"), "x.csv")},
                    content_type="multipart/form-data")
    assert page.status_code == 400 and 'id="e-file"' in page.get_data(as_text=True)


def test_start_then_progress_then_the_final_report_and_its_csv(web, channels):
    m = channels["membership"]
    state = {"job": checked()}
    m.on(MEMBERSHIP + "GetPersonImport", lambda r: state["job"])
    m.on(MEMBERSHIP + "StartPersonImport", lambda r: checked(state=mp.PersonImport.STATE_RUNNING))
    m.on(MEMBERSHIP + "ListPersonImportRows", lambda r: mp.ListPersonImportRowsResponse(rows=ROWS))
    login(web, MIR_TOKEN)
    token = csrf_token(web, "/imports/i1")
    assert web.post("/imports/i1/start", data={"csrf_token": token, "on_error": "stop", "request_id": "s-1"}
                    ).headers["Location"] == "/imports/i1"
    [start] = calls(channels, "StartPersonImport")
    assert (start.name, start.on_error, start.request_id) == (NAME, mp.ON_ERROR_STOP, "s-1")

    state["job"] = checked(state=mp.PersonImport.STATE_RUNNING, processed_rows=1)
    running = web.get("/imports/i1").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="2">' in running
    assert '<progress id="progress" class="import" max="3" value="1">' in running and "1 av 3 rader" in running

    state["job"] = checked(state=mp.PersonImport.STATE_STOPPED, processed_rows=3, stopped_at_row=3,
                           done=mp.ImportCounts(new_rows=1, not_imported_rows=2))
    done = web.get("/imports/i1").get_data(as_text=True)
    assert "Importen stoppet" in done and "stoppet ved rad 3" in done and 'http-equiv="refresh"' not in done
    csv_answer = web.get("/imports/i1/report.csv")
    assert csv_answer.mimetype == "text/csv" and "attachment" in csv_answer.headers["Content-Disposition"]
    text = csv_answer.get_data(as_text=True)
    assert text.startswith("\ufeffRad;Prøvekjøring;Resultat")
    assert "3;Må rettes;;;;E-post: Ikke en e-postadresse" in text


def test_english_and_volunteers_are_refused(web, channels):
    channels["membership"].on(MEMBERSHIP + "GetPersonImport", lambda r: checked())
    channels["membership"].on(MEMBERSHIP + "ListPersonImportRows", lambda r: mp.ListPersonImportRowsResponse())
    login(web, MIR_TOKEN)
    web.post("/language", data={"csrf_token": csrf_token(web), "lang": "en", "next": "/imports/i1"})
    page = web.get("/imports/i1").get_data(as_text=True)
    assert "Check of the file" in page and "Every row can be imported." in page
    volunteer = web.application.test_client()
    login(volunteer, VOLUNTEER_TOKEN)
    assert volunteer.get("/imports").status_code == 403
    assert web.get("/imports/not-an-id!").status_code == 404


def test_the_upload_page_lists_recent_imports_to_come_back_to(web, channels):
    from google.protobuf import timestamp_pb2

    created = timestamp_pb2.Timestamp(seconds=1_796_000_000)
    channels["membership"].on(MEMBERSHIP + "ListPersonImports", lambda r: mp.ListPersonImportsResponse(
        person_imports=[checked(state=mp.PersonImport.STATE_SUCCEEDED, create_time=created, total_rows=12)]))
    login(web, MIR_TOKEN)
    page = web.get("/imports").get_data(as_text=True)
    assert "Siste importer" in page and 'href="/imports/i1"' in page and "Importen er ferdig" in page
    assert "12 rader i filen." in page
    [listing] = calls(channels, "ListPersonImports")
    assert (listing.parent, listing.page_size) == ("organizations/mir", 10)
