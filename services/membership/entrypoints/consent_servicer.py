"""ConsentService: proto -> command -> handler -> proto. No SQL, Kafka or JWT code here."""
from __future__ import annotations

from typing import Callable

from brobygger.membership.v1 import consent_pb2, consent_pb2_grpc
from services.common.grpcserver import Access, current_principal
from services.common.names import ORGANIZATION, PERSON
from services.common.timestamps import timestamp
from services.membership.domain.consent import DEFAULT_CONSENT_AGE, Consent
from services.membership.service_layer import consents as handlers
from services.membership.service_layer.unit_of_work import MembershipUnitOfWork

# Consents are recorded, withdrawn and listed by coordinators. The node's own services ask whether one is in
# force (referral, before it shares a person's contact); volunteers at check-in ask who may be photographed.
_COORDINATORS = Access(roles=frozenset({"coordinator"}))
CONSENT_POLICY = {
    "RecordConsent": _COORDINATORS,
    "WithdrawConsent": _COORDINATORS,
    "ListConsents": _COORDINATORS,
    "CheckConsent": Access(roles=frozenset({"coordinator", "node-service"})),
    "BatchCheckConsents": Access(roles=frozenset({"coordinator", "volunteer", "node-service"})),
}


def _date(value) -> str:
    return value.isoformat() if value is not None else ""


class ConsentServicer(consent_pb2_grpc.ConsentServiceServicer):
    def __init__(self, uow: Callable[[], MembershipUnitOfWork], org: str,
                 consent_age: int = DEFAULT_CONSENT_AGE) -> None:
        self.uow, self.org, self.consent_age = uow, org, consent_age

    def _consent(self, c: Consent) -> consent_pb2.Consent:
        return consent_pb2.Consent(
            name=handlers.consent_name(self.org, c), purpose=c.purpose, text_version=c.text_version,
            given_date=_date(c.given_date), source=c.source, given_by=c.given_by,
            guardian=PERSON.format(org=self.org, person=c.guardian_id) if c.guardian_id else "",
            guardian_name=c.guardian_name, recorded_by=c.recorded_by, state=int(c.state),
            withdraw_date=_date(c.withdraw_date), withdraw_source=c.withdraw_source,
            withdrawn_recorded_by=c.withdrawn_recorded_by, create_time=timestamp(c.create_time),
            update_time=timestamp(c.update_time))

    def _check(self, check: handlers.ConsentCheck) -> consent_pb2.ConsentCheck:
        c = check.consent
        return consent_pb2.ConsentCheck(
            person=PERSON.format(org=self.org, person=check.person_id), consent_purpose=check.consent_purpose,
            in_force=check.in_force, consent=handlers.consent_name(self.org, c) if c else "",
            text_version=c.text_version if c else "")

    def RecordConsent(self, request, context):
        ids = PERSON.parse(request.parent, "parent", org=self.org)
        m = request.consent
        guardian = PERSON.parse(m.guardian.strip(), "consent.guardian", org=self.org)["person"] \
            if m.guardian.strip() else ""
        consent = Consent(id="", person_id=ids["person"], purpose=m.purpose, text_version=m.text_version,
                          given_date=None, source=m.source, given_by=m.given_by, guardian_id=guardian,
                          guardian_name=m.guardian_name)
        cmd = handlers.RecordConsent(self.org, consent, m.given_date, current_principal(), request.request_id,
                                     self.consent_age)
        return self._consent(handlers.record_consent(cmd, self.uow()))

    def WithdrawConsent(self, request, context):
        ids = handlers.CONSENT.parse(request.name, "name", org=self.org)
        cmd = handlers.WithdrawConsent(self.org, ids["person"], ids["consent"], request.withdraw_date,
                                       request.source, current_principal(), request.request_id)
        return self._consent(handlers.withdraw_consent(cmd, self.uow()))

    def ListConsents(self, request, context):
        ids = PERSON.parse(request.parent, "parent", org=self.org)
        cmd = handlers.ListConsents(self.org, ids["person"], request.page_size, request.page_token,
                                    current_principal(), request.purpose)
        found, token = handlers.list_consents(cmd, self.uow())
        return consent_pb2.ListConsentsResponse(consents=[self._consent(c) for c in found], next_page_token=token)

    def CheckConsent(self, request, context):
        ids = PERSON.parse(request.name, "name", org=self.org)
        cmd = handlers.CheckConsents(self.org, (ids["person"],), request.consent_purpose, current_principal(),
                                     request.purpose)
        return self._check(handlers.check_consents(cmd, self.uow())[0])

    def BatchCheckConsents(self, request, context):
        ORGANIZATION.parse(request.parent, "parent", org=self.org)
        person_ids = tuple(PERSON.parse(n.strip(), f"names[{i}]", org=self.org)["person"]
                           for i, n in enumerate(request.names))
        cmd = handlers.CheckConsents(self.org, person_ids, request.consent_purpose, current_principal(),
                                     request.purpose)
        return consent_pb2.BatchCheckConsentsResponse(
            consent_checks=[self._check(c) for c in handlers.check_consents(cmd, self.uow())])
