"""Importing members through the real membership service: a gRPC server on SQLite and PostgreSQL, real tokens,
the import applied by the service's own worker; and the operator's command line in this process against it."""
from __future__ import annotations

import csv
import logging

import grpc
import pytest
import sqlalchemy as sa

from brobygger.membership.v1 import membership_pb2, membership_pb2_grpc
from services.common.grpcclient import decode_error
from services.devstack import inprocess
from services.membership.bootstrap import build
from services.operator.__main__ import main as operator
from tests.conftest import bearer
from tests.import_files import SAMPLE, csv_bytes, member, members, xlsx_bytes
from tests.services.test_membership import coord, node, stub, with_chapters  # noqa: F401
from tests.support import eventually

ORG = "organizations/mir"
Import = membership_pb2.PersonImport
Row = membership_pb2.PersonImportRow


def check(stub, md, content, filename="medlemmer.csv", request_id=""):
    return stub.CreatePersonImport(membership_pb2.CreatePersonImportRequest(
        parent=ORG, content=content, filename=filename, request_id=request_id), metadata=md, timeout=60)


def start(stub, md, job, on_error=membership_pb2.ON_ERROR_SKIP):
    return stub.StartPersonImport(membership_pb2.StartPersonImportRequest(name=job.name, on_error=on_error),
                                  metadata=md, timeout=10)


def finished(stub, md, job):
    def probe():
        now = stub.GetPersonImport(membership_pb2.GetPersonImportRequest(name=job.name), metadata=md, timeout=10)
        return now if now.state in (Import.STATE_SUCCEEDED, Import.STATE_STOPPED) else None
    return eventually(probe, timeout=60, what="the import's end")


def rows(stub, md, job, **kw):
    return list(stub.ListPersonImportRows(membership_pb2.ListPersonImportRowsRequest(
        parent=job.name, page_size=1000, **kw), metadata=md, timeout=10).rows)


def count(node, table: str) -> int:
    t = node.app.tables[table]
    with node.app.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(t)).scalar()


def test_a_file_with_errors_is_checked_then_imported_and_importing_it_again_creates_nothing(stub, coord, node, caplog):
    caplog.set_level(logging.DEBUG)
    content = csv_bytes([*members(40), member(3), member(41, **{"E-post": "feil", "Fødselsår": "19xx"})],
                        encoding="cp1252")
    job = check(stub, coord, content)
    assert (job.state, job.total_rows, job.encoding, job.delimiter) == (Import.STATE_CHECKED, 42, "cp1252", ";")
    assert (job.planned.new_rows, job.planned.duplicate_rows, job.planned.invalid_rows) == (40, 1, 1)
    assert [c.field for c in job.columns][:3] == ["given_name", "family_name", "birth"]
    bad = rows(stub, coord, job, problems_only=True)
    assert [(r.row_number, r.plan, [(p.column, p.code) for p in r.problems]) for r in bad] == [
        (42, Row.PLAN_DUPLICATE_SUSPECTED, [("Fornavn", "DUPLICATE_IN_FILE")]),
        (43, Row.PLAN_INVALID, [("Fødselsår", "BIRTH_INVALID"), ("E-post", "EMAIL_INVALID")])]
    assert bad[0].problems[0].other_row == 5
    assert count(node, "persons") == 0

    assert start(stub, coord, job).state in (Import.STATE_RUNNING, Import.STATE_SUCCEEDED)
    done = finished(stub, coord, job)
    assert (done.state, done.processed_rows, done.done.new_rows, done.done.skipped_rows) == (
        Import.STATE_SUCCEEDED, 42, 40, 2)
    assert count(node, "persons") == 40 and count(node, "membership_years") == 40
    assert count(node, "person_import_files") == 0  # the file is removed when the import ends
    first = rows(stub, coord, done)[0]
    assert first.result == Row.RESULT_CREATED and first.person.startswith(f"{ORG}/persons/")
    person = stub.GetPerson(membership_pb2.GetPersonRequest(name=first.person, purpose="check"), metadata=coord)
    assert (person.given_name, person.phone, person.chapter) == ("Amina", "+47 900 00 000", "linderud")

    listed = stub.ListPersonImports(membership_pb2.ListPersonImportsRequest(parent=ORG), metadata=coord).person_imports
    assert [j.name for j in listed] == [job.name]
    again = check(stub, coord, content)
    # the row repeated in the file is now the same as a row imported: unchanged too
    assert (again.planned.unchanged_rows, again.planned.new_rows, again.planned.invalid_rows) == (41, 0, 1)
    start(stub, coord, again)
    assert finished(stub, coord, again).done.unchanged_rows == 41
    assert count(node, "persons") == 40
    for secret in ("Hussain", "medlem", "900 00 000", "Warsame"):
        assert secret not in caplog.text


def test_an_xlsx_file_and_an_import_that_stops(stub, coord, node):
    job = check(stub, coord, xlsx_bytes([member(0), member(1, Fornavn=None), member(2)]), "medlemmer.xlsx")
    assert (job.file_format, job.planned.invalid_rows) == ("xlsx", 1)
    start(stub, coord, job, membership_pb2.ON_ERROR_STOP)
    done = finished(stub, coord, job)
    assert (done.state, done.stopped_at_row, done.done.new_rows, done.done.not_imported_rows) == (
        Import.STATE_STOPPED, 3, 1, 2)
    assert count(node, "persons") == 1


def test_an_import_started_while_no_worker_runs_is_applied_after_a_restart(broker, issuer, database_url, tmp_path):
    env = inprocess.node_env("mir", database_url=database_url, kafka=broker.bootstrap, issuer=issuer.url)
    md = bearer(issuer.token("coordinator-mir"))
    with inprocess.running("membership", build, env, roles=()) as svc, grpc.insecure_channel(svc.address) as ch:
        with_chapters(svc)
        s = membership_pb2_grpc.MembershipServiceStub(ch)
        job = start(s, md, check(s, md, csv_bytes(members(25))))
        assert (job.state, job.processed_rows) == (Import.STATE_RUNNING, 0)
    with inprocess.running("membership", build, env, roles=("import",)) as svc, \
            grpc.insecure_channel(svc.address) as ch:
        s = membership_pb2_grpc.MembershipServiceStub(ch)
        assert finished(s, md, job).done.new_rows == 25


def test_refusals_say_what_to_fix(stub, coord, issuer):
    for content, reason in ((b"", "EMPTY_FILE"), (b"Navn;Telefon\r\nAmina;1\r\n", "MISSING_COLUMNS"),
                            (b"PK\x03\x04garbage", "INVALID_XLSX")):
        with pytest.raises(grpc.RpcError) as err:
            check(stub, coord, content)
        problem = decode_error(err.value)
        assert (problem.code, problem.reason) == (grpc.StatusCode.INVALID_ARGUMENT, reason)
        assert problem.violations and problem.violations[0][0] == "content"
    job = check(stub, coord, csv_bytes([member(0)]))
    with pytest.raises(grpc.RpcError) as err:
        start(stub, coord, job, on_error=0)
    assert decode_error(err.value).reason == "ON_ERROR_REQUIRED"
    volunteer = bearer(issuer.token("volunteer-mir"))
    for call in (lambda: check(stub, volunteer, csv_bytes([member(0)])), lambda: start(stub, volunteer, job),
                 lambda: rows(stub, volunteer, job)):
        with pytest.raises(grpc.RpcError) as err:
            call()
        assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_the_operator_imports_with_the_nodes_service_credentials(node, stub, coord, issuer, monkeypatch, tmp_path,
                                                                 capsys):
    for key, value in {"BROBYGGER_ENV": "development", "BROBYGGER_ORG": "mir", "BROBYGGER_OIDC_ISSUER": issuer.url,
                       "BROBYGGER_MEMBERSHIP_ADDRESS": node.address}.items():
        monkeypatch.setenv(key, value)
    assert operator(["import", str(SAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "8 rows in a CSV file (cp1252, separator ';')" in out
    assert "columns not recognised (not read): Merknad" in out
    assert "dry run: 5 new, 0 update, 0 unchanged, 1 duplicate suspected, 2 with problems" in out
    assert "row 5 (invalid): E-post: must be an e-mail address" in out
    assert "row 8 (duplicate suspected): Fornavn: an earlier row has the same name" in out and "(row 7)" in out
    assert "nothing imported" in out and count(node, "persons") == 0

    report = tmp_path / "rapport.csv"
    assert operator(["import", str(SAMPLE), "--apply", "--report", str(report)]) == 0
    captured = capsys.readouterr()
    assert "succeeded: 5 created, 0 updated, 0 unchanged, 3 skipped, 0 not imported" in captured.out
    assert "importing" in captured.err and "8/8" in captured.err  # the progress bar
    lines = list(csv.DictReader(report.open(encoding="utf-8")))
    assert [(x["row"], x["result"]) for x in lines][:5] == [("2", "created"), ("3", "created"), ("4", "created"),
                                                           ("5", "skipped"), ("6", "skipped")]
    assert "Warsame" not in report.read_text(encoding="utf-8")  # outcomes and persons' names, never the cells
    assert count(node, "persons") == 5

    assert operator(["import", str(SAMPLE), "--apply", "--on-error", "stop"]) == 3  # stops at row 5, imports none
    assert "stopped: 0 created, 0 updated, 3 unchanged, 0 skipped, 5 not imported; stopped at row 5" in \
        capsys.readouterr().out
    assert count(node, "persons") == 5
    audit = node.app.tables["audit_log"]
    with node.app.engine.connect() as conn:
        actors = {r.actor_client for r in conn.execute(sa.select(audit).where(audit.c.action.like("person.import%")))}
    assert actors == {"node-mir"}


def test_the_operator_is_told_what_is_wrong(monkeypatch, tmp_path, capsys, node, issuer):
    monkeypatch.setenv("BROBYGGER_ORG", "mir")
    monkeypatch.setenv("BROBYGGER_OIDC_ISSUER", issuer.url)
    monkeypatch.setenv("BROBYGGER_MEMBERSHIP_ADDRESS", node.address)
    assert operator(["import", str(tmp_path / "missing.csv")]) == 2
    assert "cannot read" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"Navn;Telefon\r\nAmina;1\r\n")
    assert operator(["import", str(bad)]) == 1
    assert "INVALID_ARGUMENT MISSING_COLUMNS" in capsys.readouterr().err


def test_the_operator_reads_a_file_from_standard_input(monkeypatch, capsys, node, issuer):
    import io
    import sys

    monkeypatch.setenv("BROBYGGER_ORG", "mir")
    monkeypatch.setenv("BROBYGGER_OIDC_ISSUER", issuer.url)
    monkeypatch.setenv("BROBYGGER_MEMBERSHIP_ADDRESS", node.address)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(xlsx_bytes(members(3)))))
    assert operator(["import", "-", "--apply"]) == 0
    assert "3 rows in an XLSX file" in capsys.readouterr().out and count(node, "persons") == 3
