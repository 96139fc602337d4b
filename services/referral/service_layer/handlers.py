"""Referral use cases: each takes a command and a unit of work, and returns domain objects.

A change, the fact it produces (outbox) and any call it owes another node
(deliveries) commit together. Nothing here calls another node: the delivery
worker (service_layer/delivery.py) does, after the commit.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from typing import Protocol

from brobygger.referral.v1 import referral_facts_pb2 as facts
from services.common.audit import check_purpose
from services.common.audit import identity as audit_identity
from services.common.directory import DirectoryError, Node
from services.common.errors import FailedPrecondition, FieldViolation, InvalidArgument, NotFound, PermissionDenied
from services.common.names import new_id
from services.common.pagination import PageToken, page_size
from services.common.timestamps import utcnow
from services.common.unit_of_work import run_once
from services.referral.domain.model import (
    ACCEPTED, COMPLETED, DELIVERY_PENDING, FEDERATION_NODE, INCOMING, MAX_PARTNER_NAME, OUTGOING, REFERRAL, REJECTED,
    REQUESTED, Direction, Referral, ReferralState, state_name, validate_change, validate_new_referral,
    validate_received, validate_reported_state,
)
from services.referral.service_layer import commands
from services.referral.service_layer.consent import ConsentChecker, consent_unavailable, sharing_consent_missing
from services.referral.service_layer.unit_of_work import ReferralUnitOfWork

log = logging.getLogger(__name__)

REFERRALS_PAGE = PageToken((dt.datetime, str))


class Directory(Protocol):
    """Which organisations run a node (services.common.directory.FederationDirectory fits).
    Both methods raise DirectoryError when the directory is missing or invalid."""

    def get(self, org: str) -> Node | None: ...

    def referral_targets(self) -> dict[str, Node]: ...


def _referral(uow: ReferralUnitOfWork, referral_id: str, resource: str, *, for_update: bool = False) -> Referral:
    r = uow.referrals.get(referral_id, for_update=for_update)
    if r is None:
        raise NotFound(f"There is no referral {resource}; list referrals to find the right name.",
                       reason="REFERRAL_NOT_FOUND")
    return r


def stage_fact(uow: ReferralUnitOfWork, r: Referral, now: dt.datetime) -> None:
    """One fact per state change: counts only, no person, no contact, no free text."""
    uow.facts.add(facts.ReferralStateChanged(
        referral_id=r.id, direction=r.direction, partner_kind=r.partner_kind, reason_category=r.reason_category,
        state=r.state, created_date=r.create_time.date().isoformat(), changed_date=now.date().isoformat(),
        target_organization=r.target_organization), key=r.id)


# ---------------------------------------------------------------------------- this node's coordinators


def _target_node(directory: Directory, org: str, target: str) -> Node:
    try:
        nodes = directory.referral_targets()
    except DirectoryError as exc:
        log.error("cannot use the federation directory: %s", exc)
        raise FailedPrecondition(
            "This node cannot refer to other nodes: its federation directory is missing or invalid. "
            "The operator finds the cause in the referral service's log.",
            reason="FEDERATION_DIRECTORY_UNAVAILABLE",
        ) from None
    node = nodes.get(target)
    if node is None:
        known = ", ".join(sorted(o for o in nodes if o != org)) or "none"
        raise InvalidArgument(
            f"Organisation {target!r} is not in this node's federation directory; "
            f"the known organisations are: {known}.",
            reason="UNKNOWN_ORGANIZATION",
            violations=[FieldViolation("referral.target_organization", f"must be one of: {known}")],
        )
    return node


def _check_sharing_consent(consents: ConsentChecker | None, r: Referral, actor) -> None:
    """The person's consent for referral sharing must be in force now (service_layer/consent.py); without a
    way to ask (consents None) nothing is shared either."""
    if consents is None:
        raise consent_unavailable()
    reason = f"referral to {r.target_organization}"
    if not consents.sharing_in_force(r.person, reason=reason, on_behalf_of=audit_identity(actor)[0]):
        raise sharing_consent_missing(r.person)


def create_referral(cmd: commands.CreateReferral, uow: ReferralUnitOfWork, directory: Directory,
                    consents: ConsentChecker | None = None) -> Referral:
    """A referral; one to another node only while the person's consent for referral sharing is in force
    (asked of membership as it is created; FAILED_PRECONDITION REFERRAL_SHARING_CONSENT_MISSING otherwise)."""
    asked = dataclasses.replace(cmd.referral, direction=cmd.referral.direction or OUTGOING)
    validate_new_referral(asked, cmd.org)
    if asked.is_cross_node:  # the target must take referrals; its name from the directory unless one is given
        node = _target_node(directory, cmd.org, asked.target_organization)
        asked.partner_name = asked.partner_name.strip() or node.name[:MAX_PARTNER_NAME]

    def work() -> Referral:
        if asked.is_cross_node:  # here, so that a retry of a referral made already answers it as it is
            _check_sharing_consent(consents, asked, cmd.actor)
        now = utcnow()
        r = dataclasses.replace(
            asked, id=new_id(), state=REQUESTED, create_time=now, update_time=now, outcome="", declined_by="",
            remote_name="", source_organization="", source_referral="",
            delivery_state=DELIVERY_PENDING if asked.is_cross_node else "")
        uow.referrals.add(r)
        stage_fact(uow, r, now)
        if r.is_cross_node:
            uow.deliveries.add(r.handover(REFERRAL.format(org=cmd.org, referral=r.id)))
        return r

    return run_once(uow, method="CreateReferral", actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=lambda r: r.id, load=lambda referral_id: uow.referrals.get(referral_id))


def get_referral(cmd: commands.GetReferral, uow: ReferralUnitOfWork) -> Referral:
    purpose = check_purpose(cmd.purpose, "this referral", "follow-up with the school")
    with uow:
        r = _referral(uow, cmd.referral_id, cmd.resource)
        uow.audit.record(cmd.actor, "referral.read", cmd.resource, purpose)
        uow.commit()
    return r


def list_referrals(cmd: commands.ListReferrals, uow: ReferralUnitOfWork) -> tuple[list[Referral], str]:
    """A page of referrals, newest first; each listing is audited with who listed and why."""
    purpose = check_purpose(cmd.purpose, "these referrals", "weekly case review")
    size = page_size(cmd.page_size)
    if cmd.state and not ReferralState.is_set(cmd.state):
        raise InvalidArgument("state must be a referral state, or unset for all.", reason="INVALID_FIELDS",
                              violations=[FieldViolation("state", "unknown referral state")])
    if cmd.direction and not Direction.is_set(cmd.direction):
        raise InvalidArgument(
            "direction must be DIRECTION_INCOMING (received), DIRECTION_OUTGOING (made here), or unset for both.",
            reason="INVALID_FIELDS", violations=[FieldViolation("direction", "unknown direction")])
    filters = {"state": cmd.state, "direction": cmd.direction} if cmd.direction else {"state": cmd.state}
    after = REFERRALS_PAGE.decode(cmd.page_token, **filters)
    with uow:
        page = uow.referrals.page(cmd.state, after, size, direction=cmd.direction)
        uow.audit.record(cmd.actor, "referral.list", cmd.parent, purpose)
        uow.commit()
    return page.items, REFERRALS_PAGE.encode(page.next_key, **filters)



def _change(uow: ReferralUnitOfWork, cmd, to: int, method: str, *, outcome: str = "",
            declined_by: str = "") -> Referral:
    validate_change(to, outcome, declined_by)

    def work() -> Referral:
        r = _referral(uow, cmd.referral_id, cmd.resource, for_update=True)
        if r.managed_remotely:
            raise FailedPrecondition(
                f"This referral went to organisation {r.target_organization!r}; its state changes when that "
                "node's coordinators record it and is reported back here.",
                reason="STATE_OWNED_BY_TARGET_NODE",
                metadata={"target_organization": r.target_organization},
            )
        now = utcnow()
        r.change_state(to, outcome=outcome, declined_by=declined_by, at=now)
        uow.referrals.save(r)
        stage_fact(uow, r, now)
        if r.reports_back_to:
            uow.deliveries.add(r.state_report())
        return r

    return run_once(uow, method=method, actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=lambda r: r.id, load=lambda referral_id: uow.referrals.get(referral_id))


def accept_referral(cmd: commands.AcceptReferral, uow: ReferralUnitOfWork) -> Referral:
    return _change(uow, cmd, ACCEPTED, "AcceptReferral")


def reject_referral(cmd: commands.RejectReferral, uow: ReferralUnitOfWork) -> Referral:
    return _change(uow, cmd, REJECTED, "RejectReferral", outcome=cmd.outcome, declined_by=cmd.declined_by)


def complete_referral(cmd: commands.CompleteReferral, uow: ReferralUnitOfWork) -> Referral:
    return _change(uow, cmd, COMPLETED, "CompleteReferral", outcome=cmd.outcome)


# ---------------------------------------------------------------------------- node to node


def _node_name(directory: Directory, org: str) -> str:
    try:
        node = directory.get(org)
    except DirectoryError:
        node = None
    return (node.name if node and node.name else org)[:MAX_PARTNER_NAME]


def receive_referral(cmd: commands.ReceiveReferral, uow: ReferralUnitOfWork, directory: Directory) -> Referral:
    """Another node hands over a referral; a redelivery returns the one already received."""
    source = cmd.source_organization
    if source == cmd.org or source not in cmd.caller_orgs:
        raise PermissionDenied(
            f"source_referral names organisation {source!r}, but the calling service acts for "
            f"{', '.join(sorted(cmd.caller_orgs)) or 'no organisation'}; a node may only hand over its own "
            "referrals.",
            reason="SOURCE_MISMATCH",
        )
    validate_received(source, cmd.org, cmd.partner_kind, cmd.reason_category, cmd.shared_contact,
                      cmd.consent_given)
    partner_name = _node_name(directory, source)
    with uow:
        now = utcnow()
        new = Referral(
            id=new_id(), direction=INCOMING, partner_kind=FEDERATION_NODE, reason_category=cmd.reason_category,
            partner_name=partner_name, source_organization=source, source_referral=cmd.source_referral,
            state=REQUESTED, consent_given=True, shared_contact=cmd.shared_contact, create_time=now, update_time=now,
        )
        r = uow.referrals.add_received(new)
        if r.id == new.id:
            stage_fact(uow, r, now)
        uow.commit()
    return r


def receive_referral_update(cmd: commands.ReceiveReferralUpdate, uow: ReferralUnitOfWork) -> Referral:
    """The node a referral went to reports a state change back to us; the same report twice changes nothing."""
    validate_reported_state(cmd.state)
    validate_change(cmd.state, cmd.outcome, cmd.declined_by)
    with uow:
        r = _referral(uow, cmd.referral_id, cmd.resource, for_update=True)
        if not r.managed_remotely or r.target_organization not in cmd.caller_orgs:
            raise PermissionDenied(
                "Only the node a referral was sent to may report its state, and this referral was not sent "
                f"to {', '.join(sorted(cmd.caller_orgs)) or 'the calling service'}.",
                reason="SOURCE_MISMATCH",
            )
        now = utcnow()
        if r.apply_remote_update(cmd.state, outcome=cmd.outcome, declined_by=cmd.declined_by, at=now):
            uow.referrals.save(r)
            stage_fact(uow, r, now)
            log.info("referral %s is now %s at the receiving node", r.id, state_name(r.state))
        uow.commit()
    return r
