"""The import RPCs of the membership service: proto -> command -> handler -> proto, and nothing else."""
from __future__ import annotations

from brobygger.membership.v1 import membership_pb2
from services.common.grpcserver import current_principal
from services.common.names import ORGANIZATION, PERSON
from services.common.timestamps import timestamp
from services.membership.domain.person_import import ImportJob, ImportRowRecord
from services.membership.service_layer import person_import as imports


class PersonImportMethods:
    """Mixed into MembershipServicer (self.uow, self.org). bootstrap shares import_files with the import
    worker, so that it need not read again a file the check has just read."""

    import_files: imports.ParsedFiles | None = None

    def _import(self, job: ImportJob) -> membership_pb2.PersonImport:
        return membership_pb2.PersonImport(
            name=imports.PERSON_IMPORT.format(org=self.org, person_import=job.id), state=job.state,
            file_format=job.file_format, encoding=job.encoding, delimiter=job.delimiter,
            columns=[membership_pb2.ImportColumn(header=h, field=f) for h, f in job.columns],
            unrecognized_columns=job.unrecognized_columns, total_rows=job.total_rows,
            processed_rows=job.processed_rows, planned=membership_pb2.ImportCounts(**job.planned),
            done=membership_pb2.ImportCounts(**job.done), on_error=job.on_error, stopped_at_row=job.stopped_at_row,
            create_time=timestamp(job.create_time), start_time=timestamp(job.start_time),
            end_time=timestamp(job.end_time), expire_time=timestamp(job.expire_time))

    def _import_row(self, parent: str, r: ImportRowRecord) -> membership_pb2.PersonImportRow:
        return membership_pb2.PersonImportRow(
            name=f"{parent}/rows/{r.row_number}", row_number=r.row_number, plan=r.plan, result=r.result,
            person=PERSON.format(org=self.org, person=r.person_id) if r.person_id else "",
            same_as_row=r.same_as_row, problems=[membership_pb2.ImportProblem(
                column=p.column, code=p.code, message=p.message, other_row=p.other_row) for p in r.problems])

    def CreatePersonImport(self, request, context):
        ORGANIZATION.parse(request.parent, "parent", org=self.org)
        cmd = imports.CreatePersonImport(self.org, request.content, request.filename, current_principal(),
                                         request.request_id)
        return self._import(imports.create_person_import(cmd, self.uow(), self.import_files))

    def GetPersonImport(self, request, context):
        ids = imports.PERSON_IMPORT.parse(request.name, "name", org=self.org)
        return self._import(imports.get_person_import(
            imports.GetPersonImport(ids["person_import"], request.name), self.uow()))

    def StartPersonImport(self, request, context):
        ids = imports.PERSON_IMPORT.parse(request.name, "name", org=self.org)
        cmd = imports.StartPersonImport(ids["person_import"], request.name, request.on_error, current_principal(),
                                        request.request_id)
        job = imports.start_person_import(cmd, self.uow())
        if self.import_files is not None:
            self.import_files.started.set()  # the worker of this process begins now
        return self._import(job)

    def ListPersonImports(self, request, context):
        ORGANIZATION.parse(request.parent, "parent", org=self.org)
        jobs, token = imports.list_person_imports(
            imports.ListPersonImports(request.page_size, request.page_token), self.uow())
        return membership_pb2.ListPersonImportsResponse(person_imports=[self._import(j) for j in jobs],
                                                        next_page_token=token)

    def ListPersonImportRows(self, request, context):
        ids = imports.PERSON_IMPORT.parse(request.parent, "parent", org=self.org)
        cmd = imports.ListPersonImportRows(ids["person_import"], request.parent, request.page_size,
                                           request.page_token, request.problems_only)
        rows, token = imports.list_person_import_rows(cmd, self.uow())
        return membership_pb2.ListPersonImportRowsResponse(rows=[self._import_row(request.parent, r) for r in rows],
                                                           next_page_token=token)
