"""The protobuf messages of what travels between nodes: a shared contact, and
the calls a delivery makes (ReceiveReferral, ReceiveReferralUpdate). A pending
delivery keeps its call as the serialized request it will send."""
from __future__ import annotations

from brobygger.referral.v1 import referral_pb2 as pb
from services.common.names import ORGANIZATION
from services.referral.domain.model import FEDERATION_NODE, Delivery, Handover, SharedContact, StateReport

Request = pb.ReceiveReferralRequest | pb.ReceiveReferralUpdateRequest


def contact_from_proto(c: pb.SharedContact) -> SharedContact:
    return SharedContact(given_name=c.given_name.strip(), phone=c.phone.strip(),
                         preferred_language=c.preferred_language.strip())


def contact_to_proto(c: SharedContact) -> pb.SharedContact:
    return pb.SharedContact(given_name=c.given_name, phone=c.phone, preferred_language=c.preferred_language)


def request(d: Delivery) -> Request:
    """The request a delivery sends to its target node."""
    call = d.call
    if isinstance(call, Handover):
        # consent_given: a handover is made only for a referral the person consented to.
        return pb.ReceiveReferralRequest(
            parent=ORGANIZATION.format(org=d.target_organization), source_referral=call.source_referral,
            partner_kind=FEDERATION_NODE, reason_category=call.reason_category,
            shared_contact=contact_to_proto(call.shared_contact), consent_given=True)
    if isinstance(call, StateReport):
        return pb.ReceiveReferralUpdateRequest(name=call.referral, state=call.state, outcome=call.outcome,
                                               declined_by=call.declined_by)
    raise ValueError("a delivery of a kind this version does not know")


def encode_call(d: Delivery) -> tuple[str, bytes]:
    """(kind, payload) as the deliveries table keeps a call."""
    return d.call.kind, request(d).SerializeToString()


def decode_call(kind: str, payload: bytes) -> Handover | StateReport | None:
    """The call a pending delivery holds; None for a kind this version does not know."""
    if kind == Handover.kind:
        r = pb.ReceiveReferralRequest.FromString(payload)
        return Handover(source_referral=r.source_referral, reason_category=r.reason_category,
                        shared_contact=contact_from_proto(r.shared_contact))
    if kind == StateReport.kind:
        u = pb.ReceiveReferralUpdateRequest.FromString(payload)
        return StateReport(referral=u.name, state=u.state, outcome=u.outcome, declined_by=u.declined_by)
    return None
