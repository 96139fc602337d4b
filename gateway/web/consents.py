"""A person's consents per purpose (coordinators): the state of each purpose on the person's page, and the
forms to record a consent (given on paper, on the web or to a coordinator by word of mouth, by the person or,
for a child, by a guardian) and to withdraw one.

The person's page (gateway.web.persons) shows the section through :class:`ConsentView`; the forms post here,
and a refusal is shown on a page of its own with the section and the form filled in as it was sent.
Consents are read with the purpose in force, so membership's audit log says who looked and why.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from brobygger.membership.v1 import consent_pb2, consent_pb2_grpc, membership_pb2, membership_pb2_grpc
from gateway.problems import Problem
from gateway.web import labels
from gateway.web.purpose import current_purpose, need_purpose
from gateway.web.ui import ServiceRefusal, area, call, channel, form_request_id, request_id

if TYPE_CHECKING:
    from gateway.app import Gateway

ROLES = ("coordinator",)
TEXT_VERSION_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,59}$")

PURPOSE = {"CONSENT_PURPOSE_MEMBERSHIP": _l("Membership"), "CONSENT_PURPOSE_STATISTICS": _l("Statistics"),
           "CONSENT_PURPOSE_REFERRAL_SHARING": _l("Sharing in a referral"),
           "CONSENT_PURPOSE_PHOTOS": _l("Photos")}
# What each purpose means to the person, and what a withdrawal changes (README: Consent per purpose).
EFFECT = {
    "CONSENT_PURPOSE_MEMBERSHIP": _l("Being registered as a member."),
    "CONSENT_PURPOSE_STATISTICS": _l("Being counted, without name, in the statistics. Without it the person is "
                                     "not counted in periods that begin after the withdrawal."),
    "CONSENT_PURPOSE_REFERRAL_SHARING": _l("Having contact details shared with another organisation in a "
                                           "referral. Without it no such referral is made or sent."),
    "CONSENT_PURPOSE_PHOTOS": _l("Being photographed at activities. Without it the check-in list marks the "
                                 "person: do not photograph."),
}
SOURCE = {"CONSENT_SOURCE_PAPER_FORM": _l("paper form"), "CONSENT_SOURCE_WEB": _l("web form"),
          "CONSENT_SOURCE_VERBAL": _l("said to a coordinator")}
GIVER = {"CONSENT_GIVER_PERSON": _l("the person themself"), "CONSENT_GIVER_GUARDIAN": _l("a parent or guardian")}
STATE = {"CONSENT_STATE_GIVEN": _l("Given"), "CONSENT_STATE_WITHDRAWN": _l("Withdrawn")}

_PURPOSES = consent_pb2.ConsentPurpose.DESCRIPTOR
_SOURCES = consent_pb2.ConsentSource.DESCRIPTOR
_GIVERS = consent_pb2.ConsentGiver.DESCRIPTOR
_STATES = consent_pb2.ConsentState.DESCRIPTOR



def consent_id(name: str) -> str:
    return name.rsplit("/", 1)[-1]


@dataclass
class PurposeRow:
    purpose: str  # the wire name
    label: str
    effect: str
    current: Any = None  # the consent in force, if any
    history: list = field(default_factory=list)  # every consent for the purpose, newest first


@dataclass
class ConsentSection:
    """What the person's page needs to show and change the person's consents."""

    pid: str
    rows: list[PurposeRow]
    guardians: list[tuple[str, str]]  # (person id, name) of the household's parents or guardians
    values: dict
    refusal: ServiceRefusal | None
    request_id: str
    purpose_options: list
    source_options: list
    giver_options: list
    unreadable: bool = False  # membership could not be asked: no state is shown, rather than a wrong one

    def source(self, number: int) -> str:
        return labels.label(SOURCE, _SOURCES, number)

    def giver(self, c) -> str:
        return labels.label(GIVER, _GIVERS, c.given_by)

    def state(self, number: int) -> str:
        return labels.label(STATE, _STATES, number)

    def guardian_of(self, c) -> str:
        if c.guardian_name:
            return c.guardian_name
        for pid, name in self.guardians:
            if c.guardian.endswith(f"/{pid}"):
                return name
        return consent_id(c.guardian) if c.guardian else ""


class ConsentView:
    """Reads a person's consents (audited with the purpose in force) into a ConsentSection."""

    def __init__(self, gw: Gateway) -> None:
        self.consents = consent_pb2_grpc.ConsentServiceStub(channel(gw, "membership"))

    def section(self, person_name: str, guardians: list[tuple[str, str]], values: dict | None = None,
                refusal: ServiceRefusal | None = None) -> ConsentSection:
        unreadable = False
        try:
            listed, _r = call(self.consents.ListConsents, consent_pb2.ListConsentsRequest(
                parent=person_name, page_size=200, purpose=current_purpose()), service="membership")
        except Problem:  # the rest of the person's page is still of use; the section says it could not be read
            listed, unreadable = None, True
        held = list(listed.consents) if listed else []
        rows = []
        for v in _PURPOSES.values:
            if v.number == 0:
                continue
            mine = [c for c in held if c.purpose == v.number]
            current = next((c for c in mine if c.state == consent_pb2.CONSENT_STATE_GIVEN), None)
            rows.append(PurposeRow(v.name, str(PURPOSE.get(v.name, v.name)), str(EFFECT.get(v.name, "")),
                                   current, mine))
        latest_text = held[0].text_version if held else ""
        defaults = {"given_date": dt.date.today().isoformat(), "text_version": latest_text,
                    "source": "CONSENT_SOURCE_PAPER_FORM", "given_by": "CONSENT_GIVER_PERSON"}
        return ConsentSection(
            pid=person_name.rsplit("/", 1)[-1], rows=rows, guardians=guardians,
            values={**defaults, **(values or {})}, refusal=refusal, request_id=request_id(),
            purpose_options=labels.choices(PURPOSE, _PURPOSES, blank=_("Choose")),
            source_options=labels.choices(SOURCE, _SOURCES), giver_options=labels.choices(GIVER, _GIVERS),
            unreadable=unreadable)


class PhotoConsents:
    """Who of a session's people may be photographed: membership's BatchCheckConsents for photos, asked with the
    check-in page's purpose. When it cannot be asked, nobody may (the page says so)."""

    BATCH = 100

    def __init__(self, gw: Gateway) -> None:
        self.consents = consent_pb2_grpc.ConsentServiceStub(channel(gw, "membership"))
        self.parent = f"organizations/{gw.settings.org}"

    def allowed(self, person_names: list[str], purpose: str) -> tuple[set[str], bool]:
        """(the people whose consent for photos is in force, whether every answer came)."""
        wanted = list(dict.fromkeys(person_names))
        allowed: set[str] = set()
        for i in range(0, len(wanted), self.BATCH):
            try:
                answer, refusal = call(self.consents.BatchCheckConsents, consent_pb2.BatchCheckConsentsRequest(
                    parent=self.parent, names=wanted[i:i + self.BATCH],
                    consent_purpose=consent_pb2.CONSENT_PURPOSE_PHOTOS, purpose=purpose), service="membership")
            except Problem:
                return set(), False
            if answer is None:
                return set(), False
            allowed.update(c.person for c in answer.consent_checks if c.in_force)
        return allowed, True


def guardians_of(members) -> list[tuple[str, str]]:
    """(person id, name) of a household's parents or guardians, from the person page's (member, person) pairs."""
    return [(p.name.rsplit("/", 1)[-1], f"{p.given_name} {p.family_name}") for m, p in members
            if m.role == membership_pb2.HOUSEHOLD_ROLE_PARENT_OR_GUARDIAN]


def _in_language(refusal: ServiceRefusal, person_name: str) -> ServiceRefusal:
    """The service's refusals of a consent say what is wrong in English; the page says it in its language."""
    known = {
        "GUARDIAN_CONSENT_REQUIRED": (
            _("%(name)s is a child under the organisation's age of consent, so a parent or guardian gives consent "
              "for them. Choose “a parent or guardian” and who it is.", name=person_name),
            {"given_by": _("A parent or guardian gives consent for a child.")}),
        "CONSENT_ALREADY_IN_FORCE": (
            _("A consent for this purpose is already given. Withdraw it first to record another one."),
            {"purpose": _("Already given: withdraw it first.")}),
        "GUARDIAN_IS_A_CHILD": (_("The guardian chosen is a child. Choose an adult parent or guardian."),
                                {"guardian": _("Choose an adult.")}),
        "GUARDIAN_IS_THE_PERSON": (_("A person is not their own guardian. Choose a parent or guardian."),
                                   {"guardian": _("Choose another person.")}),
        "CONSENT_ALREADY_WITHDRAWN": (_("This consent is already withdrawn."), {}),
        "WITHDRAWAL_BEFORE_CONSENT": (_("A consent is withdrawn on or after the day it was given."),
                                      {"withdraw_date": _("Choose a later date.")}),
    }
    if refusal.reason in known:
        message, fields = known[refusal.reason]
        return ServiceRefusal(refusal.status, refusal.reason, message, fields)
    return refusal


def blueprint(gw: Gateway):
    bp = area("consents", gw, roles=ROLES)
    view = ConsentView(gw)
    membership = membership_pb2_grpc.MembershipServiceStub(channel(gw, "membership"))
    parent = f"organizations/{gw.settings.org}"

    def name_of(pid: str) -> str:
        return f"{parent}/persons/{pid}"

    def page(pid: str, values: dict | None, refusal: ServiceRefusal | None, status: int):
        """The consents section on a page of its own, after a refusal, with what was sent."""
        person, _r = call(membership.GetPerson, membership_pb2.GetPersonRequest(
            name=name_of(pid), purpose=current_purpose()), service="membership")
        guardians: list[tuple[str, str]] = []
        if person.household:
            listed, _r = call(membership.ListHouseholdMembers, membership_pb2.ListHouseholdMembersRequest(
                parent=person.household, page_size=100, purpose=current_purpose()), service="membership")
            members = list(listed.household_members) if listed else []
            if members:
                people, _r = call(membership.BatchGetPersons, membership_pb2.BatchGetPersonsRequest(
                    parent=parent, names=[m.person for m in members], purpose=current_purpose()),
                    service="membership")
                guardians = [g for g in guardians_of(zip(members, people.persons)) if g[0] != pid]
        if refusal is not None:
            refusal = _in_language(refusal, person.given_name)
        section = view.section(name_of(pid), guardians, values, refusal)
        return render_template("consents/page.html", person=person, consent=section), status

    @bp.post("/persons/<id:person_id>/consents")
    def record(person_id: str) -> Response | tuple:
        if (ask := need_purpose()):
            return ask
        form = request.form
        errors: dict[str, str] = {}
        purpose = labels.number_of(_PURPOSES, form.get("purpose", ""))
        text = form.get("text_version", "").strip()
        source = labels.number_of(_SOURCES, form.get("source", ""))
        giver = labels.number_of(_GIVERS, form.get("given_by", ""))
        guardian = form.get("guardian", "").strip()
        guardian_name = form.get("guardian_name", "").strip()
        if not purpose:
            errors["purpose"] = _("Choose what the consent is for.")
        if not TEXT_VERSION_RE.match(text):
            errors["text_version"] = _("Write the version of the consent text, for example samtykke-2026-01 "
                                       "(small letters, digits and - only).")
        if not source:
            errors["source"] = _("Choose how the consent was given.")
        if not giver:
            errors["given_by"] = _("Choose who gave the consent.")
        if giver == consent_pb2.CONSENT_GIVER_GUARDIAN:
            if not guardian and not guardian_name:
                errors["guardian_name"] = _("Choose the parent or guardian, or write their name if they are not "
                                            "registered.")
            elif guardian and guardian_name:
                errors["guardian_name"] = _("Choose a registered guardian or write a name, not both.")
        else:
            guardian, guardian_name = "", ""
        if errors:
            return page(person_id, form, ServiceRefusal(400, "INVALID_ARGUMENT", _("Check the fields marked below."),
                                                        errors), 400)
        consent = consent_pb2.Consent(
            purpose=purpose, text_version=text, given_date=form.get("given_date", "").strip(), source=source,
            given_by=giver, guardian=name_of(guardian) if guardian else "", guardian_name=guardian_name)
        _saved, refusal = call(view.consents.RecordConsent, consent_pb2.RecordConsentRequest(
            parent=name_of(person_id), consent=consent, request_id=form_request_id()), service="membership")
        if refusal is not None:
            return page(person_id, form, refusal, refusal.status)
        flash(_("The consent for %(purpose)s is recorded.", purpose=str(PURPOSE[form.get("purpose")]).lower()),
              "success")
        return redirect(url_for("persons.detail", person_id=person_id, _anchor="consents-title"))

    @bp.post("/persons/<id:person_id>/consents/<id:consent>/withdraw")
    def withdraw(person_id: str, consent: str) -> Response | tuple:
        if (ask := need_purpose()):
            return ask
        form = request.form
        source = labels.number_of(_SOURCES, form.get("withdraw_source", ""))
        if not source:
            return page(person_id, None, ServiceRefusal(400, "INVALID_ARGUMENT", _(
                "Choose how the withdrawal reached the organisation."), {}), 400)
        _saved, refusal = call(view.consents.WithdrawConsent, consent_pb2.WithdrawConsentRequest(
            name=f"{name_of(person_id)}/consents/{consent}", withdraw_date=form.get("withdraw_date", "").strip(),
            source=source, request_id=form_request_id()), service="membership")
        if refusal is not None:
            return page(person_id, None, refusal, refusal.status)
        flash(_("The consent is withdrawn."), "success")
        return redirect(url_for("persons.detail", person_id=person_id, _anchor="consents-title"))

    return bp
