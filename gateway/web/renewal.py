"""Membership years for coordinators: the renewal of a year's members into the next (a preview table, then
applying it after a confirmation), and counted members per funder (each of the node's counting rules with who
counts and who does not, and why).

Both read members' names, so both ask for the purpose in force (gateway.web.purpose) and the membership
service audits the read. The year is in the URL (a GET form); names are in the page only.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from flask import flash, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from brobygger.membership.v1 import membership_pb2, membership_pb2_grpc
from gateway.web import labels
from gateway.web.purpose import current_purpose, need_purpose
from gateway.web.ui import ServiceRefusal, area, call, channel, form_request_id, nav_item, request_id

if TYPE_CHECKING:
    from gateway.app import Gateway

ROLES = ("coordinator",)
APPLY_TIMEOUT = 60.0

nav_item("renewal.index", _l("Renewal"),
         _l("Carry the members of a year into the next, and see who does not carry over and why"), ROLES)
nav_item("renewal.counted", _l("Counted members"),
         _l("Who counts as a member for each funder (IMDi, Frifond), and why others do not"), ROLES)

OUTCOME = {"RENEWAL_OUTCOME_RENEW": _l("carries over"), "RENEWAL_OUTCOME_KEEP": _l("already renewed"),
           "RENEWAL_OUTCOME_LAPSE": _l("does not carry over")}
RENEWAL_REASON = {
    "RENEWAL_REASON_PAID": _l("paid this year"),
    "RENEWAL_REASON_WAIVED": _l("fee waived this year; next year is invoiced"),
    "RENEWAL_REASON_ALREADY_RECORDED": _l("next year is already recorded; left as it is"),
    "RENEWAL_REASON_UNPAID": _l("did not pay this year"),
    "RENEWAL_REASON_CANCELLED": _l("membership cancelled"),
}
FEE_SOURCE = {"FEE_SOURCE_SCHEDULE": _l("fee schedule"), "FEE_SOURCE_LAST_YEAR": _l("last year's fee"),
              "FEE_SOURCE_RECORDED": _l("as recorded")}
COUNTING_REASON = {
    "COUNTING_REASON_UNPAID": _l("unpaid"),
    "COUNTING_REASON_WAIVED": _l("fee waived"),
    "COUNTING_REASON_PAID": _l("paid"),
    "COUNTING_REASON_FEE_BELOW_MINIMUM": _l("fee below the minimum"),
    "COUNTING_REASON_PAID_TOO_LATE": _l("paid too late"),
    "COUNTING_REASON_PAID_DATE_UNKNOWN": _l("paid date not recorded"),
    "COUNTING_REASON_TOO_OLD": _l("too old"),
    "COUNTING_REASON_TOO_YOUNG": _l("too young"),
    "COUNTING_REASON_BIRTH_YEAR_UNKNOWN": _l("birth year not recorded"),
}
PAYMENT_STATE = labels.PAYMENT_STATE


def _label(table, enum, number: int) -> str:
    return labels.label(table, enum, number)


def outcome(n: int) -> str:
    return _label(OUTCOME, membership_pb2.RenewalOutcome.DESCRIPTOR, n)


def renewal_reason(n: int) -> str:
    return _label(RENEWAL_REASON, membership_pb2.RenewalReason.DESCRIPTOR, n)


def fee_source(n: int) -> str:
    return _label(FEE_SOURCE, membership_pb2.FeeSource.DESCRIPTOR, n)


def counting_reason(n: int) -> str:
    return _label(COUNTING_REASON, membership_pb2.CountingReason.DESCRIPTOR, n)


def payment(n: int) -> str:
    return _label(PAYMENT_STATE, membership_pb2.PaymentState.DESCRIPTOR, n)


def conditions(rule: membership_pb2.CountingRule) -> list[str]:
    """A rule's conditions in words, for the page."""
    out = []
    states = [payment(s) for s in rule.payment_states]
    if states:
        out.append(_("payment: %(states)s", states=", ".join(states)))
    if rule.min_fee_nok:
        out.append(_("fee at least %(fee)s NOK", fee=rule.min_fee_nok))
    if rule.HasField("max_age"):
        out.append(_("at most %(age)s years old in the year", age=rule.max_age))
    if rule.HasField("min_age"):
        out.append(_("at least %(age)s years old in the year", age=rule.min_age))
    if rule.paid_by:
        out.append(_("paid by %(day)s", day=rule.paid_by))
    if rule.year_offset:
        out.append(_("counts the members of %(n)s years before", n=-rule.year_offset))
    return out


def person_id(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def _year(raw: str, default: int) -> tuple[int, str]:
    """A year from a form field, or (default, error message)."""
    raw = (raw or "").strip()
    if not raw:
        return default, ""
    if not re.fullmatch(r"[0-9]{4}", raw):
        return default, _("Write a year with four digits, for example %(year)s.", year=default)
    return int(raw), ""


def blueprint(gw: Gateway):
    bp = area("renewal", gw, roles=ROLES)
    membership = membership_pb2_grpc.MembershipServiceStub(channel(gw, "membership"))
    parent = f"organizations/{gw.settings.org}"
    helpers = dict(outcome=outcome, renewal_reason=renewal_reason, fee_source=fee_source, payment=payment,
                   counting_reason=counting_reason, person_id=person_id, conditions=conditions)

    def year_refusal(error: str) -> ServiceRefusal:
        return ServiceRefusal(400, "INVALID_ARGUMENT", _("Check the fields marked below."), {"from_year": error})

    def preview_page(from_year: int, refusal: ServiceRefusal | None = None, status: int = 200):
        """The chooser, and the preview of the year's renewal (unless the year itself is wrong)."""
        plan = None
        if refusal is None or "from_year" not in refusal.fields:
            plan, refused = call(membership.PreviewRenewal, membership_pb2.PreviewRenewalRequest(
                parent=parent, from_year=from_year, purpose=current_purpose()), service="membership")
            if refused is not None:
                refusal, status = refused, refused.status
        return render_template("renewal/index.html", from_year=from_year, plan=plan, refusal=refusal,
                               request_id=request_id(), applied=None, **helpers), status

    @bp.get("/renewal")
    def index():
        if (ask := need_purpose()):
            return ask
        this_year = dt.date.today().year
        from_year, error = _year(request.args.get("from_year", ""), this_year)
        return preview_page(from_year, year_refusal(error), 400) if error else preview_page(from_year)

    @bp.post("/renewal")
    def apply():
        if (ask := need_purpose()):
            return ask
        this_year = dt.date.today().year
        from_year, error = _year(request.form.get("from_year", ""), this_year)
        if error:
            return preview_page(from_year, year_refusal(error), 400)
        if request.form.get("confirm") != "1":
            refusal = ServiceRefusal(400, "CONFIRMATION_REQUIRED", _("Check the fields marked below."), {
                "confirm": _("Tick the box to confirm that you have checked the list.")})
            return preview_page(from_year, refusal, 400)
        done, refusal = call(membership.ApplyRenewal, membership_pb2.ApplyRenewalRequest(
            parent=parent, from_year=from_year, purpose=current_purpose(), request_id=form_request_id()),
            service="membership", timeout=APPLY_TIMEOUT)
        if refusal is not None:
            return preview_page(from_year, refusal, refusal.status)
        flash(_("%(n)s members carry over into %(year)s; %(lapsed)s do not.", n=done.renew_count, year=done.to_year,
                lapsed=done.lapse_count), "success")
        return render_template("renewal/index.html", from_year=from_year, plan=done, refusal=None,
                               request_id=request_id(), applied=done, **helpers)

    @bp.get("/counted-members")
    def counted():
        if (ask := need_purpose()):
            return ask
        this_year = dt.date.today().year
        year, error = _year(request.args.get("year", ""), this_year)
        answer, refusal = None, None
        if error:
            refusal = ServiceRefusal(400, "INVALID_ARGUMENT", _("Check the fields marked below."), {"year": error})
        else:
            answer, refusal = call(membership.ExplainCountedMembers, membership_pb2.ExplainCountedMembersRequest(
                parent=parent, year=year, purpose=current_purpose()), service="membership")
        return render_template("renewal/counted.html", year=year, answer=answer, refusal=refusal, **helpers), (
            refusal.status if refusal else 200)

    return bp


