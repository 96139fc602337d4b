"""RegistrationService: proto -> command -> handler -> proto."""
from __future__ import annotations

from typing import Callable

from brobygger.events.v1 import registration_pb2, registration_pb2_grpc
from services.common.grpcserver import Access, current_principal
from services.common.names import HOUSEHOLD, PERSON, NamePattern
from services.common.timestamps import timestamp
from services.events.adapters.membership_client import MembershipDirectory
from services.events.domain.registration import Registration
from services.events.entrypoints.grpc_servicer import ACTIVITY, SESSION, _times
from services.events.service_layer import registration as reg
from services.events.service_layer.unit_of_work import EventsUnitOfWork

REGISTRATION = NamePattern("organizations/{org}/activities/{activity}/registrations/{registration}")

# Volunteers read who is registered (at the door); registering, cancelling, confirming and marking no-shows
# are for coordinators (the default access: coordinator or this node's services).
POLICY = {
    "ListRegistrations": Access(roles=frozenset({"coordinator", "volunteer", "node-service"})),
    "RegisterHousehold": Access(roles=frozenset({"coordinator"})),
}


class RegistrationServicer(registration_pb2_grpc.RegistrationServiceServicer):
    def __init__(self, uow: Callable[[], EventsUnitOfWork], org: str, membership: MembershipDirectory) -> None:
        self.uow = uow
        self.org = org
        self.membership = membership

    def _scope(self, parent: str) -> reg.Scope:
        if "/sessions/" in parent:
            ids = SESSION.parse(parent, "parent", org=self.org)
            return reg.Scope(ids["activity"], ids["session"], parent)
        ids = ACTIVITY.parse(parent, "parent", org=self.org)
        return reg.Scope(ids["activity"], "", parent)

    def _proto(self, r: Registration, position: int = 0) -> registration_pb2.Registration:
        return registration_pb2.Registration(
            name=REGISTRATION.format(org=self.org, activity=r.activity_id, registration=r.id),
            person=PERSON.format(org=self.org, person=r.person_id),
            session=SESSION.format(org=self.org, activity=r.activity_id, session=r.session_id) if r.session_id else "",
            state=r.state, waitlist_position=position,
            household=HOUSEHOLD.format(org=self.org, household=r.household_id) if r.household_id else "",
            create_time=timestamp(r.create_time),
            **_times(update_time=r.update_time, promote_time=r.promote_time),
        )

    def _change(self, name: str, request_id: str) -> reg.ChangeRegistration:
        ids = REGISTRATION.parse(name, "name", org=self.org)
        return reg.ChangeRegistration(ids["activity"], ids["registration"], name, current_principal(), request_id)

    def CreateRegistration(self, request, context):
        scope = self._scope(request.parent)
        person = PERSON.parse(request.registration.person.strip(), "registration.person", org=self.org)["person"]
        cmd = reg.CreateRegistration(scope, person, request.registration.hold, current_principal(), request.request_id)
        r = reg.create_registration(cmd, self.uow(), self.membership)
        return self._proto(r, self._positions(scope).get(r.id, 0))

    def _positions(self, scope: reg.Scope) -> dict[str, int]:
        return reg.waitlist_positions(self.uow(), scope.activity_id, scope.session_id)

    def RegisterHousehold(self, request, context):
        scope = self._scope(request.parent)
        household = HOUSEHOLD.parse(request.household.strip(), "household", org=self.org)["household"]
        cmd = reg.RegisterHousehold(scope, household, request.purpose, current_principal(), request.request_id)
        results = reg.register_household(cmd, self.uow(), self.membership)
        positions = self._positions(scope)
        return registration_pb2.RegisterHouseholdResponse(results=[
            registration_pb2.HouseholdRegistrationResult(
                person=PERSON.format(org=self.org, person=x.person_id),
                registration=self._proto(x.registration, positions.get(x.registration.id, 0)),
                already_registered=x.already_registered) for x in results])

    def ListRegistrations(self, request, context):
        cmd = reg.ListRegistrations(self._scope(request.parent), request.purpose, request.page_size,
                                    request.page_token, request.show_cancelled, current_principal())
        listing = reg.list_registrations(cmd, self.uow())
        return registration_pb2.ListRegistrationsResponse(
            registrations=[self._proto(r, listing.positions.get(r.id, 0)) for r in listing.registrations],
            next_page_token=listing.next_page_token, capacity=listing.capacity, taken=listing.taken,
            waiting=len(listing.positions))

    def CancelRegistration(self, request, context):
        gone, promoted = reg.cancel_registration(self._change(request.name, request.request_id), self.uow())
        return registration_pb2.CancelRegistrationResponse(registration=self._proto(gone),
                                                           promoted=[self._proto(p) for p in promoted])

    def ConfirmRegistration(self, request, context):
        return self._proto(reg.confirm_registration(self._change(request.name, request.request_id), self.uow()))

    def MarkNoShows(self, request, context):
        ids = SESSION.parse(request.session, "session", org=self.org)
        cmd = reg.MarkNoShows(ids["activity"], ids["session"], request.session, current_principal(),
                              request.request_id)
        marked = reg.mark_no_shows(cmd, self.uow())
        return registration_pb2.MarkNoShowsResponse(registrations=[self._proto(r) for r in marked.registrations],
                                                    attended_count=marked.attended, no_show_count=marked.no_show)
