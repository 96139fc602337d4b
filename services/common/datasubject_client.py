"""A person's export gathered from every service of the node into one PersonDataExport (for the gateway
and the operator's command line). Each service answers for its own data and audits its own part; an
export is complete or it fails (a missing service is not silently left out)."""
from __future__ import annotations

from typing import Mapping, Sequence

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from brobygger.datasubject.v1 import datasubject_pb2, datasubject_pb2_grpc
from services.common.datasubject import EXPORT_FORMAT, SERVICES


def gather_export(channels: Mapping[str, grpc.Channel], person: str, purpose: str, *, exported_by: str = "",
                  timeout: float = 10.0, metadata: Sequence[tuple[str, str]] = ()) -> datasubject_pb2.PersonDataExport:
    """Ask every service for its part, in SERVICES order; a service's gRPC error is raised as it came."""
    request = datasubject_pb2.ExportPersonDataRequest(person=person, purpose=purpose)
    document = datasubject_pb2.PersonDataExport(format=EXPORT_FORMAT, person=person, exported_by=exported_by)
    now = Timestamp()
    now.GetCurrentTime()
    document.export_time.CopyFrom(now)
    for service in SERVICES:
        stub = datasubject_pb2_grpc.DataSubjectServiceStub(channels[service])
        document.services.append(stub.ExportPersonData(request, timeout=timeout, metadata=list(metadata)))
    return document


def document_json(document: datasubject_pb2.PersonDataExport) -> dict:
    """The document in the protobuf JSON mapping as the REST API answers it: field names as in the
    contract, every field present (an empty table is an empty list, not left out)."""
    from google.protobuf import json_format

    return json_format.MessageToDict(document, preserving_proto_field_name=True,
                                     always_print_fields_with_no_presence=True, unquote_int64_if_possible=True)
