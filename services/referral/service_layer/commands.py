"""What callers ask the referral service to do: one small dataclass per use case."""
from __future__ import annotations

from dataclasses import dataclass

from services.common.audit import ListAuditEntries  # noqa: F401  (a use case of every auditing service)
from services.common.unit_of_work import Actor
from services.referral.domain.model import Referral, SharedContact


@dataclass(frozen=True)
class CreateReferral:
    org: str  # the organisation of the parent the caller named: this node's
    referral: Referral
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class GetReferral:
    referral_id: str
    resource: str  # the name the caller used, for messages and the audit log
    actor: Actor | None = None
    purpose: str = ""


@dataclass(frozen=True)
class ListReferrals:
    parent: str = ""  # the name the caller used, organizations/{org}, for the audit log
    state: int = 0  # 0: every state
    page_size: int = 0
    page_token: str = ""
    actor: Actor | None = None
    purpose: str = ""
    direction: int = 0  # 0: both; OUTGOING (made here) or INCOMING (received)


@dataclass(frozen=True)
class AcceptReferral:
    referral_id: str
    resource: str
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class RejectReferral:
    referral_id: str
    resource: str
    declined_by: str = ""
    outcome: str = ""
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class CompleteReferral:
    referral_id: str
    resource: str
    outcome: str = ""
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class ReceiveReferral:
    """Another node hands over a referral."""

    org: str  # the organisation of the parent the caller named: this node's
    source_referral: str  # the sender's name for the referral
    source_organization: str  # the organisation that name is of
    partner_kind: int
    reason_category: int
    shared_contact: SharedContact
    consent_given: bool
    caller_orgs: frozenset[str] = frozenset()  # whom the calling service acts for, from its verified token
    actor: Actor | None = None


@dataclass(frozen=True)
class ReceiveReferralUpdate:
    """The node a referral went to reports its new state."""

    referral_id: str
    resource: str
    state: int
    outcome: str = ""
    declined_by: str = ""
    caller_orgs: frozenset[str] = frozenset()
    actor: Actor | None = None
