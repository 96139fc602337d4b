"""The membership service as the events service sees it: one question,
asked over gRPC with the node's service token and a deadline, naming the
user it is asked for (metadata x-brobygger-on-behalf-of), so that
membership's audit log names the volunteer who recorded the attendance."""
from __future__ import annotations

import logging
from typing import Callable, Protocol

import grpc

from brobygger.membership.v1 import membership_pb2, membership_pb2_grpc
from services.common.audit import ON_BEHALF_OF_HEADER, encode_on_behalf_of
from services.common.auth import AuthError
from services.common.errors import Unavailable
from services.common.grpcclient import decode_error
from services.common.names import HOUSEHOLD, PERSON
from services.events.domain.model import PersonProfile

log = logging.getLogger(__name__)

DEADLINE_SECONDS = 3.0

# Codes after which the same question may well succeed a moment later.
_TRANSIENT = {
    grpc.StatusCode.UNAVAILABLE,
    grpc.StatusCode.DEADLINE_EXCEEDED,
    grpc.StatusCode.RESOURCE_EXHAUSTED,
    grpc.StatusCode.CANCELLED,
}


class MembershipDirectory(Protocol):
    def profile(self, person_id: str, *, on_behalf_of: str = "") -> PersonProfile | None:
        """The person's birth year and gender, or None when membership has no such person.
        on_behalf_of names the user the question is asked for ('' when the service asks for itself).
        Raises Unavailable when membership cannot be asked."""

    def household_members(self, household_id: str, *, purpose: str, on_behalf_of: str) -> list[str] | None:
        """The person ids of a household's members in the order they were added, or None when membership
        has no such household. Membership audits the read with purpose, naming on_behalf_of.
        Raises Unavailable when membership cannot be asked."""


def membership_unavailable() -> Unavailable:
    return Unavailable(
        "The membership service could not be reached to check the person, so nothing was recorded. "
        "Retry in a moment with the same request_id.",
        reason="MEMBERSHIP_UNAVAILABLE",
    )


class GrpcMembershipClient:
    """MembershipService.GetPersonProfile over a channel that carries the node's service token."""

    def __init__(self, channel: grpc.Channel, org: str, timeout: float = DEADLINE_SECONDS, *,
                 on_unauthenticated: Callable[[], None] | None = None) -> None:
        self.channel = channel
        self.stub = membership_pb2_grpc.MembershipServiceStub(channel)
        self.org = org
        self.timeout = timeout
        # e.g. forget a cached service token that membership no longer accepts
        self.on_unauthenticated = on_unauthenticated

    def profile(self, person_id: str, *, on_behalf_of: str = "") -> PersonProfile | None:
        name = PERSON.format(org=self.org, person=person_id)
        metadata = [(ON_BEHALF_OF_HEADER, encode_on_behalf_of(on_behalf_of))] if on_behalf_of else []
        try:
            reply = self.stub.GetPersonProfile(membership_pb2.GetPersonProfileRequest(name=name), timeout=self.timeout,
                                               metadata=metadata)
        except AuthError as exc:  # this node's own service token could not be had
            log.warning("no service token for calling membership: %s", exc.message)
            raise Unavailable(
                "This node could not get its service token to ask the membership service, so nothing was "
                "recorded. Retry in a moment; if it persists, the operator should check the identity provider "
                "and the node's service client.",
                reason="SERVICE_TOKEN_UNAVAILABLE",
            ) from None
        except grpc.RpcError as exc:
            if exc.code() == grpc.StatusCode.NOT_FOUND:
                return None
            if exc.code() in _TRANSIENT:
                log.warning("membership not reachable: %s", exc.code().name)
                raise membership_unavailable() from None
            if exc.code() == grpc.StatusCode.UNAUTHENTICATED and self.on_unauthenticated is not None:
                self.on_unauthenticated()
            problem = decode_error(exc)
            # Refused or misunderstood: a fault in this node's set-up (service client, roles), not the caller's.
            log.error("membership refused GetPersonProfile: %s %s", problem.code.name, problem.reason)
            raise RuntimeError(f"membership answered {problem.code.name} {problem.reason}") from None
        return PersonProfile(birth_year=reply.birth_year, gender=reply.gender)

    def household_members(self, household_id: str, *, purpose: str, on_behalf_of: str) -> list[str] | None:
        """MembershipService.ListHouseholdMembers, every page, on behalf of the coordinator."""
        parent = HOUSEHOLD.format(org=self.org, household=household_id)
        metadata = [(ON_BEHALF_OF_HEADER, encode_on_behalf_of(on_behalf_of))] if on_behalf_of else []
        members: list[str] = []
        token = ""
        while True:
            request = membership_pb2.ListHouseholdMembersRequest(parent=parent, page_size=200, page_token=token,
                                                                 purpose=purpose)
            try:
                reply = self.stub.ListHouseholdMembers(request, timeout=self.timeout, metadata=metadata)
            except AuthError as exc:
                log.warning("no service token for calling membership: %s", exc.message)
                raise membership_unavailable() from None
            except grpc.RpcError as exc:
                if exc.code() == grpc.StatusCode.NOT_FOUND:
                    return None
                if exc.code() in _TRANSIENT:
                    log.warning("membership not reachable: %s", exc.code().name)
                    raise membership_unavailable() from None
                if exc.code() == grpc.StatusCode.UNAUTHENTICATED and self.on_unauthenticated is not None:
                    self.on_unauthenticated()
                problem = decode_error(exc)
                log.error("membership refused ListHouseholdMembers: %s %s", problem.code.name, problem.reason)
                raise RuntimeError(f"membership answered {problem.code.name} {problem.reason}") from None
            members += [m.person.rsplit("/", 1)[-1] for m in reply.household_members]
            token = reply.next_page_token
            if not token:
                return members

    def close(self) -> None:
        self.channel.close()
