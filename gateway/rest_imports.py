"""Node mode: importing members from a spreadsheet (the membership service's CreatePersonImport,
GetPersonImport, StartPersonImport and ListPersonImportRows) under /api/v1/person-imports."""
from __future__ import annotations

from brobygger.membership.v1 import membership_pb2
from gateway.api import API_PREFIX, Api, Body, Call, Operation, Param

PAGE = (
    Param("page_size", "How many to return at most; 0 or absent means 50. At most 200.", kind="integer",
          maximum=200),
    Param("page_token", "The next_page_token of the previous page; absent for the first page."),
)
ROWS_PAGE = (
    Param("page_size", "How many rows to return at most; 0 or absent means 100. At most 1000.", kind="integer",
          maximum=1000),
    Param("page_token", "The next_page_token of the previous page; absent for the first page."),
    Param("problems_only", "Only rows with problems (invalid, or a duplicate suspected).", kind="boolean"),
)


def register(api: Api, membership, parent: str, timeout: float) -> None:
    def name(c: Call) -> str:
        return f"{parent}/personImports/{c.path['import_id']}"

    @api.route(Operation(
        "POST", f"{API_PREFIX}/person-imports", "createPersonImport", "Check a spreadsheet of members (a dry run)",
        "membership", "membership", membership_pb2.PersonImport, status=201,
        body=Body(membership_pb2.CreatePersonImportRequest, exclude=frozenset({"parent", "request_id"})),
        idempotent=True, not_found=False,
        description="content is the file (CSV in UTF-8 or Windows-1252 with ';', ',' or tab, or XLSX), base64 "
                    "encoded as JSON writes bytes; filename only tells XLSX from CSV. The answer counts what "
                    "importing would do; its rows (GET .../rows) say per row what is wrong, by row number and "
                    "column, and what would happen. Nothing is registered. The file is kept by the membership "
                    "service until the import ends, or an hour if it is not started. The file is at most 3 MiB "
                    "and 20,000 rows; this route takes a body of up to 4 MiB and 64 KiB for it (every other route "
                    "1 MiB), and answers a larger one 413 CONTENT_TOO_LARGE. Coordinators only.",
    ))
    def create_person_import(c: Call):
        return membership.CreatePersonImport(membership_pb2.CreatePersonImportRequest(
            parent=parent, content=c.body.content, filename=c.body.filename, request_id=c.request_id),
            timeout=max(timeout, 60))

    @api.route(Operation(
        "GET", f"{API_PREFIX}/person-imports", "listPersonImports", "List the imports, newest first", "membership",
        "membership", membership_pb2.ListPersonImportsResponse, query=PAGE, not_found=False,
        description="Each import with its state and counts, to come back to one. Coordinators only.",
    ))
    def list_person_imports(c: Call):
        return membership.ListPersonImports(membership_pb2.ListPersonImportsRequest(
            parent=parent, page_size=c.query["page_size"], page_token=c.query["page_token"]), timeout=timeout)

    @api.route(Operation(
        "GET", f"{API_PREFIX}/person-imports/<id:import_id>", "getPersonImport", "Read an import and its progress",
        "membership", "membership", membership_pb2.PersonImport,
        description="state (STATE_CHECKED, STATE_RUNNING, STATE_SUCCEEDED, STATE_STOPPED, STATE_EXPIRED), "
                    "processed_rows of total_rows, and the counts planned (the check) and done. Poll it to follow "
                    "a running import. Coordinators only.",
    ))
    def get_person_import(c: Call):
        return membership.GetPersonImport(membership_pb2.GetPersonImportRequest(name=name(c)), timeout=timeout)

    @api.route(Operation(
        "POST", f"{API_PREFIX}/person-imports/<id:import_id>:start", "startPersonImport", "Start a checked import",
        "membership", "membership", membership_pb2.PersonImport, idempotent=True,
        body=Body(membership_pb2.StartPersonImportRequest, exclude=frozenset({"name", "request_id"})),
        description="on_error is required: ON_ERROR_SKIP imports the valid rows and skips the others, "
                    "ON_ERROR_STOP stops at the first row that cannot be imported. The membership service "
                    "applies the import in the background; an import started already is answered as it is; an "
                    "expired check is 409 PERSON_IMPORT_EXPIRED. A row imported before creates nothing again.",
    ))
    def start_person_import(c: Call):
        return membership.StartPersonImport(membership_pb2.StartPersonImportRequest(
            name=name(c), on_error=c.body.on_error, request_id=c.request_id), timeout=timeout)

    @api.route(Operation(
        "GET", f"{API_PREFIX}/person-imports/<id:import_id>/rows", "listPersonImportRows",
        "List an import's rows: what the check found and what the import did", "membership", "membership",
        membership_pb2.ListPersonImportRowsResponse, query=ROWS_PAGE,
        description="In file order: row_number, plan, result, problems (column, code, message; never a cell's "
                    "value) and the person created, updated or matched. Coordinators only.",
    ))
    def list_person_import_rows(c: Call):
        return membership.ListPersonImportRows(membership_pb2.ListPersonImportRowsRequest(
            parent=name(c), page_size=c.query["page_size"], page_token=c.query["page_token"],
            problems_only=c.query["problems_only"]), timeout=timeout)
