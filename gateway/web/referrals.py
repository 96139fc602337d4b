"""Referrals, for coordinators: the referrals received (inbox) and sent (outbox), one referral with what
its state allows (accept, reject, complete), and new referrals, to a partner or to another organisation
of the federation with the person's consent.

Everything goes through the referral service with the user's own token. Listing and reading need the
purpose of the work at hand (gateway.web.purpose). No URL these pages make carries anything about a
person: a referral is addressed by its random id, a listing by its state filter and page token.

What may travel with a referral is the contract's: an external partner gets nothing through Brobygger
(the referral only records here that it was made), another node gets the given name, phone and
preferred language the person agreed to share, and the reason category. There is no free-text field
about the person; an outcome is a category code, offered here as a list.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from babel import Locale, UnknownLocaleError
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from brobygger.referral.v1 import referral_pb2, referral_pb2_grpc
from gateway.web import labels, ui
from gateway.web.i18n import current_locale
from gateway.web.purpose import current_purpose, need_purpose
from services.common.directory import DirectoryError, FederationDirectory, Node
from services.referral.domain.model import (
    ACCEPTED, COMPLETED, DECLINED_BY, DELIVERY_DELIVERED, DELIVERY_PENDING, DELIVERY_REFUSED, MAX_GIVEN_NAME,
    MAX_PARTNER_NAME, REJECTED, TRANSITIONS,
)

if TYPE_CHECKING:
    from gateway.app import Gateway

ROLES = ("coordinator",)
PAGE_SIZE = 25
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$")
MAX_PAGE_TOKEN = 1000

ui.nav_item("referrals.inbox", _l("Referrals"),
            _l("Referrals received and sent; refer someone to a partner or another organisation"), roles=ROLES)

# ---------------------------------------------------------------------------- labels, by enum name

STATE_LABELS = labels.REFERRAL_STATE
STATE_BADGES = {"REFERRAL_STATE_ACCEPTED": "ok", "REFERRAL_STATE_IN_PROGRESS": "ok",
                "REFERRAL_STATE_COMPLETED": "ok", "REFERRAL_STATE_REJECTED": "bad",
                "REFERRAL_STATE_CANCELLED": "bad", "REFERRAL_STATE_FAILED": "bad"}
PARTNER_KIND_LABELS = {
    "PARTNER_KIND_SCHOOL": _l("School"),
    "PARTNER_KIND_NAV": _l("NAV"),
    "PARTNER_KIND_CHILD_WELFARE": _l("Child welfare service"),
    "PARTNER_KIND_POLICE": _l("Police"),
    "PARTNER_KIND_RED_CROSS": _l("Red Cross"),
    "PARTNER_KIND_VOLUNTEER_CENTRE": _l("Volunteer centre"),
    "PARTNER_KIND_PROBATION_SERVICE": _l("Probation office (Friomsorg)"),
    "PARTNER_KIND_LEGAL_AID": _l("Legal aid"),
    "PARTNER_KIND_HEALTH": _l("Health service"),
    "PARTNER_KIND_FEDERATION_NODE": _l("Organisation in the federation"),
    "PARTNER_KIND_FAITH_COMMUNITY": _l("Faith community"),
    "PARTNER_KIND_OTHER": _l("Other"),
}
REASON_LABELS = {
    "REASON_CATEGORY_SCHOOL_HOME": _l("School and home"),
    "REASON_CATEGORY_FAMILY_GUIDANCE": _l("Family guidance"),
    "REASON_CATEGORY_LEGAL_AID": _l("Legal aid"),
    "REASON_CATEGORY_WORK_AND_WELFARE": _l("Work and welfare"),
    "REASON_CATEGORY_HEALTH": _l("Health"),
    "REASON_CATEGORY_VIOLENCE_IN_CLOSE_RELATIONS": _l("Violence in close relationships"),
    "REASON_CATEGORY_NEGATIVE_SOCIAL_CONTROL": _l("Negative social control"),
    "REASON_CATEGORY_MEDIATION": _l("Mediation"),
    "REASON_CATEGORY_COMMUNITY_SENTENCE": _l("Community sentence"),
    "REASON_CATEGORY_OTHER": _l("Other"),
}
DIRECTION_LABELS = {
    "DIRECTION_INCOMING": _l("Received"),
    "DIRECTION_OUTGOING": _l("Sent"),
}
DECLINED_BY_LABELS = {
    "provider": _l("The service it was referred to"),
    "person": _l("The person referred"),
}
DELIVERY_LABELS = {
    DELIVERY_PENDING: _l("Not yet delivered to the other organisation; Brobygger keeps trying"),
    DELIVERY_DELIVERED: _l("Delivered to the other organisation"),
    DELIVERY_REFUSED: _l("Not sent: the person's consent to sharing in a referral was withdrawn"),
}
# Outcomes are category codes (never free text about the person); these are the ones offered here.
REJECT_OUTCOMES = {
    "no_capacity": _l("No capacity now"),
    "not_eligible": _l("Outside what the service offers"),
    "not_wanted": _l("The person did not want it"),
    "no_contact": _l("The person could not be reached"),
    "referred_elsewhere": _l("Better met by another service"),
    "other": _l("Other reason"),
}
COMPLETE_OUTCOMES = {
    "need_met": _l("The need was met"),
    "partly_met": _l("The need was partly met"),
    "legal_aid_given": _l("Legal aid was given"),
    "place_found": _l("A place was found"),
    "agreement_reached": _l("An agreement was reached"),
    "sentence_served": _l("The community sentence was served"),
    "not_met": _l("The need was not met"),
    "person_withdrew": _l("The person withdrew"),
    "referred_on": _l("Referred on to another service"),
    "other": _l("Other outcome"),
}
OUTCOME_LABELS = {**REJECT_OUTCOMES, **COMPLETE_OUTCOMES, "other": _l("Other"),
                  "consent_withdrawn": _l("The person withdrew their consent to sharing before it was sent")}
# Languages offered for the shared contact, named in the page's language by Babel's locale data.
LANGUAGES = ("nb", "en", "ar", "so", "ur", "pa", "ti", "fa", "ps", "ku", "tr", "pl", "uk", "ru", "ta", "vi", "am",
             "sw", "fr", "es")


def state_name(value: int) -> str:
    return referral_pb2.ReferralState.Name(value) if value in referral_pb2.ReferralState.values() else ""


def label(labels: dict, key: str) -> str:
    """The label of an enum name or code; never the raw name ('' for an unset or unknown value)."""
    found = labels.get(key)
    return str(found) if found is not None else ""


def outcome_label(code: str) -> str:
    """An outcome's label; a code this version does not know (another node's) is shown as words."""
    found = OUTCOME_LABELS.get(code)
    return str(found) if found is not None else code.replace("_", " ").replace("-", " ").capitalize()


def options(labels: dict, *, blank: str = "", exclude: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    first = [("", blank)] if blank else []
    return first + [(k, str(v)) for k, v in labels.items() if k not in exclude]


def language_name(code: str) -> str:
    """A language tag ('ur', 'pa-Arab') named in the page's language; the tag itself if Babel does not know it."""
    try:
        name = Locale.parse(code, sep="-").get_display_name(current_locale())
    except (UnknownLocaleError, ValueError, TypeError):
        return code
    return name[:1].upper() + name[1:] if name else code


def language_options() -> list[tuple[str, str]]:
    return [("", _("Not shared"))] + [(code, language_name(code)) for code in LANGUAGES]


def enum_value(enum, raw: str) -> int:
    """The number of an enum name from a form ('PARTNER_KIND_SCHOOL'), 0 when it is not one."""
    try:
        return enum.Value(raw) if raw else 0
    except ValueError:
        return 0


def allowed_actions(r: referral_pb2.Referral) -> list[str]:
    """What the user may do with a referral in its state. A referral sent to another node is decided there
    and reported back: nothing here."""
    if r.direction == referral_pb2.DIRECTION_OUTGOING and r.partner_kind == referral_pb2.PARTNER_KIND_FEDERATION_NODE:
        return []
    following = TRANSITIONS.get(r.state, frozenset())
    return [action for action, state in (("accept", ACCEPTED), ("reject", REJECTED), ("complete", COMPLETED))
            if state in following]


def view(r: referral_pb2.Referral) -> dict:
    """A referral as the templates show it: labels, not enum names."""
    state = state_name(r.state)
    direction = referral_pb2.Direction.Name(r.direction) if r.direction in referral_pb2.Direction.values() else ""
    kind = referral_pb2.PartnerKind.Name(r.partner_kind) if r.partner_kind in referral_pb2.PartnerKind.values() else ""
    reason = (referral_pb2.ReasonCategory.Name(r.reason_category)
              if r.reason_category in referral_pb2.ReasonCategory.values() else "")
    contact = r.shared_contact if r.HasField("shared_contact") else None
    return {
        "id": r.name.rsplit("/", 1)[-1],
        "incoming": r.direction == referral_pb2.DIRECTION_INCOMING,
        "cross_node": r.partner_kind == referral_pb2.PARTNER_KIND_FEDERATION_NODE,
        "direction": label(DIRECTION_LABELS, direction),
        "state": label(STATE_LABELS, state),
        "badge": STATE_BADGES.get(state, ""),
        "partner_kind": label(PARTNER_KIND_LABELS, kind),
        "partner_name": r.partner_name or r.source_organization or r.target_organization,
        "reason": label(REASON_LABELS, reason),
        "person": r.person.rsplit("/", 1)[-1] if r.person else "",
        "outcome": outcome_label(r.outcome) if r.outcome else "",
        "declined_by": label(DECLINED_BY_LABELS, r.declined_by),
        "delivery": label(DELIVERY_LABELS, r.delivery_state),
        "consent_given": r.consent_given,
        "contact": contact,
        "contact_language": language_name(contact.preferred_language) if contact and contact.preferred_language
        else "",
        "created": r.create_time.ToDatetime() if r.HasField("create_time") else None,
        "updated": r.update_time.ToDatetime() if r.HasField("update_time") else None,
        "actions": allowed_actions(r),
    }


# Service field paths (after 'referral.') as this area's form field names.
FORM_FIELDS = {"shared_contact.given_name": "given_name", "shared_contact.phone": "phone",
               "shared_contact.preferred_language": "preferred_language"}


def for_form(refusal: ui.ServiceRefusal | None) -> ui.ServiceRefusal | None:
    if refusal is not None:
        refusal.fields = {FORM_FIELDS.get(k, k): v for k, v in refusal.fields.items()}
    return refusal


def form_refusal(message: str, fields: dict[str, str]) -> ui.ServiceRefusal:
    """A refusal of this page's own, before anything is sent."""
    return ui.ServiceRefusal(400, "INVALID_FIELDS", message, fields)


def blueprint(gw: Gateway):
    bp = ui.area("referrals", gw, roles=ROLES, url_prefix="/referrals")
    stub = referral_pb2_grpc.ReferralServiceStub(ui.channel(gw, "referral"))
    org = gw.settings.org
    parent = f"organizations/{org}"
    directory = FederationDirectory(gw.settings.federation_directory)

    def referral_name(referral_id: str) -> str:
        if not ID_RE.match(referral_id):
            abort(404)
        return f"{parent}/referrals/{referral_id}"

    def targets() -> tuple[list[Node], bool]:
        """The other nodes that take referrals, and whether the directory could be read."""
        try:
            nodes = directory.referral_targets()
        except (DirectoryError, OSError):
            return [], False
        return sorted((n for o, n in nodes.items() if o != org), key=lambda n: (n.name or n.org).lower()), True

    # ------------------------------------------------------------------ inbox and outbox

    def listing(direction: int, endpoint: str, title: str):
        if (r := need_purpose()):
            return r
        state = request.args.get("state", "")
        state_value = enum_value(referral_pb2.ReferralState, state)
        if not state_value:
            state = ""
        token = request.args.get("page_token", "")[:MAX_PAGE_TOKEN]
        answer, refusal = ui.call(stub.ListReferrals, referral_pb2.ListReferralsRequest(
            parent=parent, page_size=PAGE_SIZE, page_token=token, state=state_value, direction=direction,
            purpose=current_purpose()), service="referral")
        items = [view(r) for r in answer.referrals] if answer else []
        next_url = (url_for(endpoint, state=state or None, page_token=answer.next_page_token)
                    if answer and answer.next_page_token else "")
        body = render_template("referrals/list.html", title=title, endpoint=endpoint, items=items, state=state,
                               states=options(STATE_LABELS, blank=_("All states")), next_url=next_url,
                               first_url=url_for(endpoint, state=state or None) if token else "",
                               incoming=direction == referral_pb2.DIRECTION_INCOMING, refusal=refusal)
        return body, refusal.status if refusal else 200

    @bp.get("")
    def inbox():
        return listing(referral_pb2.DIRECTION_INCOMING, "referrals.inbox", _("Referrals received"))

    @bp.get("/sent")
    def outbox():
        return listing(referral_pb2.DIRECTION_OUTGOING, "referrals.outbox", _("Referrals sent"))

    # ------------------------------------------------------------------ one referral and its actions

    def show(referral_id: str, *, refusal=None, typed: dict | None = None, status: int = 200):
        answer, read_refusal = ui.call(stub.GetReferral, referral_pb2.GetReferralRequest(
            name=referral_name(referral_id), purpose=current_purpose()), service="referral")
        if read_refusal:
            flash(read_refusal.message, "error")
            return redirect(url_for("referrals.inbox"))
        return render_template(
            "referrals/detail.html", r=view(answer), refusal=refusal, typed=typed or {}, request_id=ui.request_id(),
            declined_by=options(DECLINED_BY_LABELS, blank=_("Choose who declined")),
            reject_outcomes=options(REJECT_OUTCOMES, blank=_("Choose the reason")),
            complete_outcomes=options(COMPLETE_OUTCOMES, blank=_("Choose how it ended")),
        ), status

    @bp.get("/<referral_id>")
    def detail(referral_id: str):
        if (r := need_purpose()):
            return r
        return show(referral_id)

    def act(referral_id: str, action: str, rpc, message, done: str, refusal=None):
        typed = {k: request.form.get(k, "") for k in ("declined_by", "outcome")}
        typed["action"] = action
        if refusal is None:
            answer, refusal = ui.call(rpc, message, service="referral")
            if answer is not None:
                flash(done, "success")
                return redirect(url_for("referrals.detail", referral_id=referral_id))
        if not current_purpose():  # showing the referral again is a read, which needs a purpose
            flash(refusal.message, "error")
            return redirect(url_for("referrals.detail", referral_id=referral_id))
        return show(referral_id, refusal=refusal, typed=typed, status=refusal.status)

    @bp.post("/<referral_id>/accept")
    def accept(referral_id: str):
        name = referral_name(referral_id)
        return act(referral_id, "accept", stub.AcceptReferral,
                   referral_pb2.AcceptReferralRequest(name=name, request_id=ui.form_request_id()),
                   _("The referral is accepted."))

    @bp.post("/<referral_id>/reject")
    def reject(referral_id: str):
        name = referral_name(referral_id)
        declined_by, outcome = request.form.get("declined_by", ""), request.form.get("outcome", "")
        problems = {}
        if declined_by not in DECLINED_BY:
            problems["declined_by"] = _("Choose who declined: the service or the person.")
        if outcome not in REJECT_OUTCOMES:
            problems["outcome"] = _("Choose the reason it was declined.")
        refusal = form_refusal(_("Say who declined and why, then reject again."), problems) if problems else None
        return act(referral_id, "reject", stub.RejectReferral,
                   referral_pb2.RejectReferralRequest(name=name, declined_by=declined_by, outcome=outcome,
                                                      request_id=ui.form_request_id()),
                   _("The referral is rejected."), refusal)

    @bp.post("/<referral_id>/complete")
    def complete(referral_id: str):
        name = referral_name(referral_id)
        outcome = request.form.get("outcome", "")
        refusal = None if outcome in COMPLETE_OUTCOMES else form_refusal(
            _("Say how it ended, then complete again."), {"outcome": _("Choose the outcome.")})
        return act(referral_id, "complete", stub.CompleteReferral,
                   referral_pb2.CompleteReferralRequest(name=name, outcome=outcome,
                                                        request_id=ui.form_request_id()),
                   _("The referral is completed."), refusal)

    # ------------------------------------------------------------------ new referrals

    def person_name(raw: str) -> str:
        raw = raw.strip()
        return raw if not raw or raw.startswith("organizations/") else f"{parent}/persons/{raw}"

    @bp.route("/new", methods=["GET", "POST"])
    def new():
        form = {k: request.form.get(k, "") for k in ("direction", "person", "partner_kind", "partner_name",
                                                     "reason_category")}
        form["request_id"] = ui.form_request_id()
        form["direction"] = form["direction"] or "DIRECTION_OUTGOING"
        refusal = None
        if request.method == "POST":
            message = referral_pb2.Referral(
                direction=enum_value(referral_pb2.Direction, form["direction"]),
                person=person_name(form["person"]),
                partner_kind=enum_value(referral_pb2.PartnerKind, form["partner_kind"]),
                partner_name=form["partner_name"].strip(),
                reason_category=enum_value(referral_pb2.ReasonCategory, form["reason_category"]))
            if message.partner_kind == referral_pb2.PARTNER_KIND_FEDERATION_NODE:
                message.partner_kind = 0  # that is the other form's, with consent
            answer, refusal = ui.call(stub.CreateReferral, referral_pb2.CreateReferralRequest(
                parent=parent, referral=message, request_id=form["request_id"]), service="referral")
            if answer is not None:
                flash(_("The referral is recorded."), "success")
                return redirect(url_for("referrals.detail", referral_id=answer.name.rsplit("/", 1)[-1]))
            refusal = for_form(refusal)
        return render_template(
            "referrals/new.html", form=form, refusal=refusal, max_partner_name=MAX_PARTNER_NAME,
            directions=[("DIRECTION_OUTGOING", _("We refer the person to the partner")),
                        ("DIRECTION_INCOMING", _("The partner referred the person to us"))],
            kinds=options(PARTNER_KIND_LABELS, blank=_("Choose the kind of partner"),
                          exclude=("PARTNER_KIND_FEDERATION_NODE",)),
            reasons=options(REASON_LABELS, blank=_("Choose the reason")),
        ), refusal.status if refusal else 200

    @bp.route("/new/federation", methods=["GET", "POST"])
    def new_to_node():
        nodes, readable = targets()
        form = {k: request.form.get(k, "") for k in ("target_organization", "person", "reason_category",
                                                     "given_name", "phone", "preferred_language")}
        form["consent_given"] = request.form.get("consent_given") == "1"
        form["request_id"] = ui.form_request_id()
        if request.method == "GET":  # from a person's page: their random id, nothing about them
            form["person"] = request.args.get("person", "")[:100]
        refusal = None
        if request.method == "POST":
            if not form["consent_given"]:
                refusal = form_refusal(
                    _("The referral was not sent: the person's consent is missing. Ask the person whether they "
                      "agree to the referral and to sharing exactly the details listed; tick the box only if they "
                      "do."),
                    {"consent_given": _("Tick this only when the person has agreed.")})
            else:
                message = referral_pb2.Referral(
                    direction=referral_pb2.DIRECTION_OUTGOING, person=person_name(form["person"]),
                    partner_kind=referral_pb2.PARTNER_KIND_FEDERATION_NODE,
                    target_organization=form["target_organization"],
                    reason_category=enum_value(referral_pb2.ReasonCategory, form["reason_category"]),
                    consent_given=True,
                    shared_contact=referral_pb2.SharedContact(
                        given_name=form["given_name"].strip(), phone=form["phone"].strip(),
                        preferred_language=form["preferred_language"]))
                answer, refusal = ui.call(stub.CreateReferral, referral_pb2.CreateReferralRequest(
                    parent=parent, referral=message, request_id=form["request_id"]), service="referral")
                if answer is not None:
                    flash(_("The referral is sent. It is delivered to %(org)s in a moment.",
                            org=answer.partner_name or answer.target_organization), "success")
                    return redirect(url_for("referrals.detail", referral_id=answer.name.rsplit("/", 1)[-1]))
                if refusal is not None and refusal.reason == "REFERRAL_SHARING_CONSENT_MISSING":
                    # The consent recorded on the person's page (gateway.web.consents), not the box ticked here.
                    refusal = ui.ServiceRefusal(refusal.status, refusal.reason, _(
                        "The referral was not sent: no consent to sharing in a referral is recorded for this "
                        "person, or it was withdrawn. Record the person's consent on their page first."),
                        {"person": _("No consent to sharing in a referral is recorded.")})
                refusal = for_form(refusal)
        return render_template(
            "referrals/new_node.html", form=form, refusal=refusal, readable=readable,
            nodes=[("", _("Choose the organisation"))] + [(n.org, n.name or n.org) for n in nodes],
            reasons=options(REASON_LABELS, blank=_("Choose the reason")), contact_languages=language_options(),
            max_given_name=MAX_GIVEN_NAME,
        ), refusal.status if refusal else 200

    return bp
