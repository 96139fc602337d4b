"""What callers ask the membership service to do: one small dataclass per use case."""
from __future__ import annotations

from dataclasses import dataclass

from services.common.audit import ListAuditEntries  # noqa: F401  (a use case of every auditing service)
from services.common.unit_of_work import Actor
from services.membership.domain.group import Group
from services.membership.domain.household import Household
from services.membership.domain.model import MembershipYear, Person


@dataclass(frozen=True)
class RegisterPerson:
    person: Person
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class GetPerson:
    person_id: str
    resource: str  # the name the caller used, for messages and the audit log
    actor: Actor | None = None
    purpose: str = ""


@dataclass(frozen=True)
class GetPersonProfile:
    """What another service of the node may know about a person for statistics: birth year and gender."""

    person_id: str
    resource: str
    actor: Actor | None = None


@dataclass(frozen=True)
class ListPersons:
    parent: str = ""  # the name the caller used, organizations/{org}, for the audit log
    page_size: int = 0
    page_token: str = ""
    actor: Actor | None = None
    purpose: str = ""
    query: str = ""  # words that must start words of the name; personal data, never logged
    chapter: str = ""
    # The filters of services.membership.domain.person_filter, as the caller gave them.
    group: str = ""
    household: str = ""
    membership_year: int = 0
    paying: bool = False
    role: int = 0
    role_date: str = ""


@dataclass(frozen=True)
class BatchGetPersons:
    """Up to 100 persons by name, in the order asked (AIP-231)."""

    org: str  # the organisation this node serves: every name must be of it
    names: tuple[str, ...]
    actor: Actor | None = None
    purpose: str = ""


@dataclass(frozen=True)
class UpdatePerson:
    """Correct the fields update_mask names (AIP-134), taking their values from person."""

    person: Person  # id set; the new values of the masked fields
    resource: str  # the person's name, for messages and the audit log
    update_mask: tuple[str, ...]
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class RecordMembershipYear:
    year: MembershipYear
    resource: str  # the person's name
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class ListMembershipYears:
    person_id: str
    resource: str  # the person's name, for messages and the audit log
    page_size: int = 0
    page_token: str = ""
    actor: Actor | None = None
    purpose: str = ""


@dataclass(frozen=True)
class CreateHousehold:
    org: str  # the organisation this node serves, to name the household in the audit log
    household: Household  # display_name only; the id is chosen here
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class GetHousehold:
    household_id: str
    resource: str  # the household's name, for messages
    actor: Actor | None = None


@dataclass(frozen=True)
class AddHouseholdMember:
    org: str  # the organisation this node serves, to name resources in messages
    household_id: str
    person_id: str
    role: int
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class RemoveHouseholdMember:
    org: str
    household_id: str
    person_id: str
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class ListHouseholdMembers:
    household_id: str
    resource: str  # the household's name, for messages and the audit log
    page_size: int = 0
    page_token: str = ""
    actor: Actor | None = None
    purpose: str = ""


# ---------------------------------------------------------------------------- renewal and counted members


@dataclass(frozen=True)
class PreviewRenewal:
    org: str
    from_year: int
    actor: Actor | None = None
    purpose: str = ""


@dataclass(frozen=True)
class ApplyRenewal:
    org: str
    from_year: int
    actor: Actor | None = None
    purpose: str = ""
    request_id: str = ""


@dataclass(frozen=True)
class ExplainCountedMembers:
    org: str
    year: int
    rule_id: str = ""  # empty: every rule
    actor: Actor | None = None
    purpose: str = ""


# ---------------------------------------------------------------------------- groups and roles


@dataclass(frozen=True)
class CreateGroup:
    org: str
    group: Group  # id (the short id the caller chose), kind and display name
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class GetGroup:
    group_id: str
    resource: str
    actor: Actor | None = None


@dataclass(frozen=True)
class ListGroups:
    page_size: int = 0
    page_token: str = ""
    kind: int = 0
    actor: Actor | None = None


@dataclass(frozen=True)
class UpdateGroup:
    org: str
    group_id: str
    display_name: str
    update_mask: tuple[str, ...]
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class AddGroupMember:
    org: str
    group_id: str
    person_id: str
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class RemoveGroupMember:
    org: str
    group_id: str
    person_id: str
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class ListGroupMembers:
    org: str
    group_id: str  # "-" with person_id: the person's groups
    resource: str  # the parent as the caller named it, for messages and the audit log
    person_id: str = ""
    page_size: int = 0
    page_token: str = ""
    actor: Actor | None = None
    purpose: str = ""


@dataclass(frozen=True)
class AssignRole:
    org: str
    person_id: str
    role: int
    start_date: str  # ISO dates as the caller gave them; checked by the handler
    end_date: str = ""
    group_id: str = ""
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class EndRole:
    org: str
    person_id: str
    assignment_id: str
    end_date: str
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class ListRoleAssignments:
    org: str
    person_id: str  # "-" for everyone's
    resource: str
    role: int = 0
    active_on: str = ""
    page_size: int = 0
    page_token: str = ""
    actor: Actor | None = None
    purpose: str = ""
