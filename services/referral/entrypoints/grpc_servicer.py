"""proto -> command -> handler -> proto. No SQL, Kafka or JWT code here."""
from __future__ import annotations


from brobygger.referral.v1 import referral_pb2, referral_pb2_grpc
from services.common.grpcserver import Access, current_principal
from services.common.names import ORGANIZATION
from services.common.timestamps import timestamp
from services.referral.domain.model import REFERRAL, Referral, SharedContact
from services.referral.service_layer.handlers import Referrals

NODE_TO_NODE = Access(roles=frozenset({"node-service"}), federation_nodes=True)

POLICY = {
    "ReceiveReferral": NODE_TO_NODE,
    "ReceiveReferralUpdate": NODE_TO_NODE,
}



def _contact(c: referral_pb2.SharedContact) -> SharedContact:
    return SharedContact(given_name=c.given_name.strip(), phone=c.phone.strip(),
                         preferred_language=c.preferred_language.strip())


class ReferralServicer(referral_pb2_grpc.ReferralServiceServicer):
    def __init__(self, service: Referrals) -> None:
        self.s = service
        self.org = service.org

    def _proto(self, r: Referral, *, with_contact: bool = False) -> referral_pb2.Referral:
        msg = referral_pb2.Referral(
            name=self.s.name(r.id), direction=r.direction, person=r.person, partner_kind=r.partner_kind,
            partner_name=r.partner_name, target_organization=r.target_organization,
            source_organization=r.source_organization, reason_category=r.reason_category, state=r.state,
            consent_given=r.consent_given, outcome=r.outcome, declined_by=r.declined_by,
            delivery_state=r.delivery_state, remote_name=r.remote_name,
            create_time=timestamp(r.create_time), update_time=timestamp(r.update_time),
        )
        if with_contact and not r.shared_contact.is_empty():
            c = r.shared_contact
            msg.shared_contact.CopyFrom(referral_pb2.SharedContact(
                given_name=c.given_name, phone=c.phone, preferred_language=c.preferred_language))
        return msg

    def _id(self, name: str) -> str:
        return REFERRAL.parse(name, "name", org=self.org)["referral"]

    def CreateReferral(self, request, context):
        ORGANIZATION.parse(request.parent, "parent", org=self.org)
        p = request.referral
        referral = Referral(
            id="", direction=p.direction, partner_kind=p.partner_kind, reason_category=p.reason_category,
            person=p.person.strip(), partner_name=p.partner_name.strip(),
            target_organization=p.target_organization.strip(), consent_given=p.consent_given,
            shared_contact=_contact(p.shared_contact),
        )
        return self.s.create(referral, request.request_id, self._proto)

    def GetReferral(self, request, context):
        referral_id = self._id(request.name)
        principal = current_principal()
        r = self.s.get(referral_id, principal, request.purpose, request.name)
        # The shared contact is personal data: only this node's coordinators see it, and the read is audited.
        return self._proto(r, with_contact=principal.has_role("coordinator"))

    def ListReferrals(self, request, context):
        ORGANIZATION.parse(request.parent, "parent", org=self.org)
        items, token = self.s.list(request.page_size, request.page_token, request.state)
        return referral_pb2.ListReferralsResponse(referrals=[self._proto(r) for r in items], next_page_token=token)

    def AcceptReferral(self, request, context):
        return self.s.accept(self._id(request.name), request.name, request.request_id, self._proto)

    def RejectReferral(self, request, context):
        return self.s.reject(self._id(request.name), request.name, request.declined_by.strip(),
                             request.outcome.strip(), request.request_id, self._proto)

    def CompleteReferral(self, request, context):
        return self.s.complete(self._id(request.name), request.name, request.outcome.strip(), request.request_id,
                               self._proto)

    def ReceiveReferral(self, request, context):
        ORGANIZATION.parse(request.parent, "parent", org=self.org)
        return self.s.receive(current_principal(), request.source_referral, request.partner_kind,
                              request.reason_category, _contact(request.shared_contact), request.consent_given,
                              self._proto)

    def ReceiveReferralUpdate(self, request, context):
        return self.s.receive_update(current_principal(), self._id(request.name), request.name, request.state,
                                     request.outcome.strip(), request.declined_by.strip(), self._proto)
