"""proto -> command -> handler -> proto. No SQL, Kafka or JWT code here."""
from __future__ import annotations

from typing import Callable

from brobygger.referral.v1 import referral_pb2, referral_pb2_grpc
from services.common.audit_servicer import AUDIT_LOG_POLICY, AuditLogServicer
from services.common.grpcserver import Access, current_principal
from services.common.names import ORGANIZATION
from services.common.timestamps import timestamp
from services.referral.adapters.wire import contact_from_proto, contact_to_proto
from services.referral.domain.model import REFERRAL, Referral
from services.referral.service_layer import commands, handlers
from services.referral.service_layer.consent import ConsentChecker
from services.referral.service_layer.handlers import Directory
from services.referral.service_layer.unit_of_work import ReferralUnitOfWork

NODE_TO_NODE = Access(roles=frozenset({"node-service"}), federation_nodes=True)

POLICY = {
    "ReceiveReferral": NODE_TO_NODE,
    "ReceiveReferralUpdate": NODE_TO_NODE,
    **AUDIT_LOG_POLICY,
}


def referral_from_proto(p: referral_pb2.Referral) -> Referral:
    return Referral(
        id="", direction=p.direction, partner_kind=p.partner_kind, reason_category=p.reason_category,
        person=p.person.strip(), partner_name=p.partner_name.strip(), target_organization=p.target_organization.strip(),
        consent_given=p.consent_given, shared_contact=contact_from_proto(p.shared_contact),
    )


class ReferralServicer(AuditLogServicer, referral_pb2_grpc.ReferralServiceServicer):
    list_audit_entries_response = referral_pb2.ListAuditEntriesResponse

    def __init__(self, uow: Callable[[], ReferralUnitOfWork], org: str, directory: Directory,
                 consents: ConsentChecker | None = None) -> None:
        self.uow = uow
        self.org = org
        self.directory = directory
        self.consents = consents  # membership's answer on referral sharing; None: no referral to another node

    def _referral(self, r: Referral, *, with_contact: bool = False) -> referral_pb2.Referral:
        msg = referral_pb2.Referral(
            name=REFERRAL.format(org=self.org, referral=r.id), direction=r.direction, person=r.person,
            partner_kind=r.partner_kind, partner_name=r.partner_name, target_organization=r.target_organization,
            source_organization=r.source_organization, reason_category=r.reason_category, state=r.state,
            consent_given=r.consent_given, outcome=r.outcome, declined_by=r.declined_by,
            delivery_state=r.delivery_state, remote_name=r.remote_name,
            create_time=timestamp(r.create_time), update_time=timestamp(r.update_time),
        )
        if with_contact and not r.shared_contact.is_empty():
            msg.shared_contact.CopyFrom(contact_to_proto(r.shared_contact))
        return msg

    def _id(self, name: str) -> str:
        return REFERRAL.parse(name, "name", org=self.org)["referral"]

    def CreateReferral(self, request, context):
        org = ORGANIZATION.parse(request.parent, "parent", org=self.org)["org"]
        cmd = commands.CreateReferral(org, referral_from_proto(request.referral), current_principal(),
                                      request.request_id)
        return self._referral(handlers.create_referral(cmd, self.uow(), self.directory, self.consents))

    def GetReferral(self, request, context):
        principal = current_principal()
        cmd = commands.GetReferral(self._id(request.name), request.name, principal, request.purpose)
        # The shared contact is personal data: only this node's coordinators see it, and the read is audited.
        return self._referral(handlers.get_referral(cmd, self.uow()), with_contact=principal.has_role("coordinator"))

    def ListReferrals(self, request, context):
        ORGANIZATION.parse(request.parent, "parent", org=self.org)
        cmd = commands.ListReferrals(request.parent, request.state, request.page_size, request.page_token,
                                     current_principal(), request.purpose, request.direction)
        items, token = handlers.list_referrals(cmd, self.uow())
        return referral_pb2.ListReferralsResponse(referrals=[self._referral(r) for r in items], next_page_token=token)

    def AcceptReferral(self, request, context):
        cmd = commands.AcceptReferral(self._id(request.name), request.name, current_principal(), request.request_id)
        return self._referral(handlers.accept_referral(cmd, self.uow()))

    def RejectReferral(self, request, context):
        cmd = commands.RejectReferral(self._id(request.name), request.name, request.declined_by.strip(),
                                      request.outcome.strip(), current_principal(), request.request_id)
        return self._referral(handlers.reject_referral(cmd, self.uow()))

    def CompleteReferral(self, request, context):
        cmd = commands.CompleteReferral(self._id(request.name), request.name, request.outcome.strip(),
                                        current_principal(), request.request_id)
        return self._referral(handlers.complete_referral(cmd, self.uow()))

    def ReceiveReferral(self, request, context):
        org = ORGANIZATION.parse(request.parent, "parent", org=self.org)["org"]
        source = REFERRAL.parse(request.source_referral, "source_referral")["org"]
        principal = current_principal()
        cmd = commands.ReceiveReferral(
            org, request.source_referral, source, request.partner_kind, request.reason_category,
            contact_from_proto(request.shared_contact), request.consent_given, principal.orgs, principal)
        return self._referral(handlers.receive_referral(cmd, self.uow(), self.directory))

    def ReceiveReferralUpdate(self, request, context):
        principal = current_principal()
        cmd = commands.ReceiveReferralUpdate(self._id(request.name), request.name, request.state,
                                             request.outcome.strip(), request.declined_by.strip(), principal.orgs,
                                             principal)
        return self._referral(handlers.receive_referral_update(cmd, self.uow()))
