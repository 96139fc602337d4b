"""``python -m services.operator import FILE``: import members from a spreadsheet (CSV or XLSX).

A dry run by default: the file is checked by the node's membership service, which answers what each row
would become (new, update, unchanged, duplicate suspected) and what is wrong with the rows that cannot be
imported. ``--apply`` then imports it: the service applies it in the background, and a progress bar follows
it until it ends. ``--report FILE.csv`` writes every row's outcome. Importing the same file again creates
nothing twice: each row imported is remembered by a digest of its content.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import pathlib
import sys
import time

import grpc
from tqdm import tqdm

from brobygger.membership.v1 import membership_pb2, membership_pb2_grpc
from services.operator import _node

PLAN = {v.number: v.name.removeprefix("PLAN_").lower().replace("_", " ")
        for v in membership_pb2.PersonImportRow.Plan.DESCRIPTOR.values}
RESULT = {v.number: v.name.removeprefix("RESULT_").lower().replace("_", " ")
          for v in membership_pb2.PersonImportRow.Result.DESCRIPTOR.values}
STATE = {v.number: v.name.removeprefix("STATE_").lower() for v in membership_pb2.PersonImport.State.DESCRIPTOR.values}
ON_ERROR = {"skip": membership_pb2.ON_ERROR_SKIP, "stop": membership_pb2.ON_ERROR_STOP}
FINISHED = {membership_pb2.PersonImport.STATE_SUCCEEDED, membership_pb2.PersonImport.STATE_STOPPED,
            membership_pb2.PersonImport.STATE_EXPIRED}
REPORT_COLUMNS = ("row", "plan", "result", "person", "same_as_row", "problems")


def register(subparsers) -> None:
    p = subparsers.add_parser("import", help="import members from a spreadsheet (a dry run unless --apply)",
                              description=__doc__.split("\n\n", 1)[1],
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", type=pathlib.Path, help="the spreadsheet: .csv or .xlsx as exported; - reads it from "
                                                   "standard input (docker compose exec -T ... < file)")
    p.add_argument("--apply", action="store_true", help="import it (without: a dry run, nothing changes)")
    p.add_argument("--on-error", choices=sorted(ON_ERROR), default="skip",
                   help="rows that cannot be imported: skip them (default) or stop at the first")
    p.add_argument("--report", type=pathlib.Path, help="write every row's outcome to this CSV file")
    p.add_argument("--poll", type=float, default=0.2, help=argparse.SUPPRESS)
    p.set_defaults(func=run)


def _rows(stub, name: str, *, problems_only: bool = False):
    token = ""
    while True:
        page = stub.ListPersonImportRows(membership_pb2.ListPersonImportRowsRequest(
            parent=name, page_size=1000, page_token=token, problems_only=problems_only))
        yield from page.rows
        token = page.next_page_token
        if not token:
            return


def describe_problem(p: membership_pb2.ImportProblem) -> str:
    more = f" (row {p.other_row})" if p.other_row else ""
    return f"{p.column}: {p.message}{more}"


def _counts(c: membership_pb2.ImportCounts, *, done: bool) -> str:
    if done:
        parts = [("created", c.new_rows), ("updated", c.update_rows), ("unchanged", c.unchanged_rows),
                 ("skipped", c.skipped_rows), ("not imported", c.not_imported_rows)]
    else:
        parts = [("new", c.new_rows), ("update", c.update_rows), ("unchanged", c.unchanged_rows),
                 ("duplicate suspected", c.duplicate_rows), ("with problems", c.invalid_rows)]
    return ", ".join(f"{n} {label}" for label, n in parts)


def summary(job: membership_pb2.PersonImport, out) -> None:
    how = f" ({job.encoding}, separator {job.delimiter!r})" if job.encoding else ""
    kind = job.file_format.upper()
    print(f"{job.name}: {job.total_rows} rows in {'an' if kind == 'XLSX' else 'a'} {kind} file{how}", file=out)
    print("columns read: " + ", ".join(f"{c.header} -> {c.field}" for c in job.columns), file=out)
    if job.unrecognized_columns:
        print("columns not recognised (not read): " + ", ".join(job.unrecognized_columns), file=out)
    print("dry run: " + _counts(job.planned, done=False), file=out)


def write_report(stub, name: str, path: pathlib.Path) -> int:
    n = 0
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(REPORT_COLUMNS)
        for r in _rows(stub, name):
            w.writerow([r.row_number, PLAN[r.plan], RESULT[r.result] if r.result else "", r.person,
                        r.same_as_row or "", "; ".join(describe_problem(p) for p in r.problems)])
            n += 1
    return n


def follow(stub, job: membership_pb2.PersonImport, poll: float, err) -> membership_pb2.PersonImport:
    """Poll the import until it ends, with a progress bar of its rows."""
    with tqdm(total=job.total_rows, unit="row", file=err, desc="importing", dynamic_ncols=True) as bar:
        while True:
            bar.update(job.processed_rows - bar.n)
            if job.state in FINISHED:
                return job
            time.sleep(poll)
            job = stub.GetPersonImport(membership_pb2.GetPersonImportRequest(name=job.name))


def run(args, *, out=None, err=None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    try:
        content = sys.stdin.buffer.read() if str(args.file) == "-" else args.file.read_bytes()
    except OSError as exc:
        print(f"cannot read {args.file}: {exc.strerror}", file=err)
        return 2
    settings = _node.settings()
    with _node.channel(settings, settings.membership_address) as ch:
        return _run(args, content, membership_pb2_grpc.MembershipServiceStub(ch), settings.org, out, err)


def _run(args, content: bytes, stub, org: str, out, err) -> int:
    digest = hashlib.sha256(content).hexdigest()[:32]
    try:
        job = stub.CreatePersonImport(membership_pb2.CreatePersonImportRequest(
            parent=f"organizations/{org}", content=content, filename=args.file.name,
            request_id=f"check-{digest}-{time.time_ns()}"[:100]), timeout=120)
        summary(job, out)
        for r in _rows(stub, job.name, problems_only=True):
            for p in r.problems:
                print(f"row {r.row_number} ({PLAN[r.plan]}): {describe_problem(p)}", file=out)
        if not args.apply:
            print("nothing imported (a dry run); run again with --apply to import", file=out)
            if args.report:
                write_report(stub, job.name, args.report)
            return 0
        job = stub.StartPersonImport(membership_pb2.StartPersonImportRequest(
            name=job.name, on_error=ON_ERROR[args.on_error], request_id=f"start-{job.name.rsplit('/', 1)[1]}"))
        job = follow(stub, job, args.poll, err)
        print(f"{STATE[job.state]}: " + _counts(job.done, done=True)
              + (f"; stopped at row {job.stopped_at_row}" if job.stopped_at_row else ""), file=out)
        if args.report:
            n = write_report(stub, job.name, args.report)
            print(f"report of {n} rows written to {args.report}", file=out)
        return 0 if job.state == membership_pb2.PersonImport.STATE_SUCCEEDED else 3
    except grpc.RpcError as error:
        print(_node.explain(error), file=err)
        return 1
