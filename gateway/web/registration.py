"""Registration in the web app, for coordinators: a course's or a session's places and its waiting list.

``/registrations/<a>`` is the course (registrations that cover all the activity's sessions) and
``/registrations/<a>/<s>`` one session. Made for a phone: a name search, then one tap registers the person
or their whole household; those with a place and the waiting list (in its order) are listed, each with a
button to cancel; a cancellation says who was promoted from the waiting list into the place. After a
session, one button marks who came and who did not. The page reads names for one purpose it states itself:
"registration for <activity>".
"""
from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Iterable

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from brobygger.events.v1 import events_pb2, events_pb2_grpc, registration_pb2, registration_pb2_grpc
from brobygger.membership.v1 import membership_pb2, membership_pb2_grpc
from gateway.web.checkin import full_name, names_by_person
from gateway.web.ui import ServiceRefusal, area, call, channel, form_request_id, request_id
from services.common.audit import MAX_PURPOSE

if TYPE_CHECKING:
    from gateway.app import Gateway

ROLES = ("coordinator",)
SEARCH_RESULTS = 20
MAX_QUERY = 100
ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,62}")
S = registration_pb2


def last_id(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def state_label(state: int) -> str:
    return {
        S.REGISTRATION_STATE_PENDING: _("Place held"),
        S.REGISTRATION_STATE_REGISTERED: _("Registered"),
        S.REGISTRATION_STATE_WAITLISTED: _("Waiting list"),
        S.REGISTRATION_STATE_ATTENDED: _("Attended"),
        S.REGISTRATION_STATE_NO_SHOW: _("Did not come"),
        S.REGISTRATION_STATE_CANCELLED: _("Cancelled"),
    }.get(state, "")


def refusal_text(refusal: ServiceRefusal) -> str:
    return {
        "ALREADY_REGISTERED": _("That person is registered already."),
        "PERSON_NOT_FOUND": _("That person is not in the register."),
        "SESSION_CANCELLED": _("This session is cancelled, so nobody can register for it."),
        "REGISTRATION_CLOSED": _("Who came and who did not is kept; correct the roster instead."),
        "HOUSEHOLD_EMPTY": _("The household has no members yet."),
        "HOUSEHOLD_NOT_FOUND": _("That household is not in the register."),
        "SESSION_NOT_OVER": _("No-shows are marked after the session."),
        "REGISTRATION_NOT_PENDING": _("Only a held place is confirmed."),
    }.get(refusal.reason, refusal.message)


def blueprint(gw: Gateway):
    bp = area("registration", gw, roles=ROLES)
    events = events_pb2_grpc.EventsServiceStub(channel(gw, "events"))
    registrations = registration_pb2_grpc.RegistrationServiceStub(channel(gw, "events"))
    membership = membership_pb2_grpc.MembershipServiceStub(channel(gw, "membership"))
    org = f"organizations/{gw.settings.org}"

    def activity_name(aid: str) -> str:
        return f"{org}/activities/{aid}"

    def scope_name(aid: str, sid: str | None) -> str:
        return f"{activity_name(aid)}/sessions/{sid}" if sid else activity_name(aid)

    def purpose_for(activity: events_pb2.Activity) -> str:
        title = activity.title
        text = _("registration for %(activity)s", activity=title)
        while len(text) > MAX_PURPOSE and title:
            title = title[:-10]
            text = _("registration for %(activity)s", activity=title + "…")
        return text

    def names_of(person_names: Iterable[str], purpose: str) -> dict[str, str]:
        return names_by_person(membership, org, person_names, purpose)

    def load(aid: str, sid: str | None):
        activity, _r = call(events.GetActivity, events_pb2.GetActivityRequest(name=activity_name(aid)),
                            service="events")
        session = None
        if sid:
            session, _r = call(events.GetSession, events_pb2.GetSessionRequest(name=scope_name(aid, sid)),
                               service="events")
        return activity, session

    def every(scope: str, purpose: str) -> tuple[list, registration_pb2.ListRegistrationsResponse]:
        rows, token, first = [], "", None
        while True:
            page, _r = call(registrations.ListRegistrations, registration_pb2.ListRegistrationsRequest(
                parent=scope, purpose=purpose, page_size=200, page_token=token), service="events")
            first = first or page
            rows += list(page.registrations)
            token = page.next_page_token
            if not token:
                return rows, first

    def show(aid: str, sid: str | None, *, query: str = "", found: list | None = None,
             refusal: ServiceRefusal | None = None, status: int = 200):
        activity, session = load(aid, sid)
        purpose = purpose_for(activity)
        rows, listing = every(scope_name(aid, sid), purpose)
        names = names_of([r.person for r in rows], purpose)

        def row(r):
            return {"id": last_id(r.name), "name": names.get(r.person, last_id(r.person)), "state": r.state,
                    "label": state_label(r.state), "position": r.waitlist_position,
                    "promoted": r.HasField("promote_time"), "household": bool(r.household),
                    "cancellable": r.state in (S.REGISTRATION_STATE_PENDING, S.REGISTRATION_STATE_REGISTERED,
                                               S.REGISTRATION_STATE_WAITLISTED)}

        placed = [row(r) for r in rows if r.state != S.REGISTRATION_STATE_WAITLISTED]
        waiting = sorted((row(r) for r in rows if r.state == S.REGISTRATION_STATE_WAITLISTED),
                         key=lambda x: x["position"])
        registered = {r.person for r in rows}
        results = [{"person_id": last_id(p.name), "name": full_name(p), "birth_year": p.birth_year,
                    "household_id": last_id(p.household) if p.household else "",
                    "registered": p.name in registered} for p in (found or [])]
        day = dt.date.fromisoformat(session.date) if session is not None else None
        return render_template(
            "registration/scope.html", activity=activity, session=session, aid=aid, sid=sid, day=day,
            cancelled=session is not None and session.state == events_pb2.SESSION_STATE_CANCELLED,
            over=day is not None and day <= dt.date.today(), placed=placed, waiting=waiting,
            capacity=listing.capacity, taken=listing.taken, results=results, searched=found is not None,
            query=query, refusal=refusal, request_id=request_id, max_query=MAX_QUERY), status

    def back(aid: str, sid: str | None, anchor: str = "places"):
        if sid:
            return redirect(url_for("registration.session", activity_id=aid, session_id=sid, _anchor=anchor))
        return redirect(url_for("registration.course", activity_id=aid, _anchor=anchor))

    @bp.get("/registrations/<id:activity_id>")
    def course(activity_id: str):
        return show(activity_id, None)

    @bp.get("/registrations/<id:activity_id>/<id:session_id>")
    def session(activity_id: str, session_id: str):
        return show(activity_id, session_id)

    def said(answer: registration_pb2.Registration, who: str) -> str:
        if answer.state == S.REGISTRATION_STATE_WAITLISTED:
            return _("%(name)s is on the waiting list, number %(n)s.", name=who, n=answer.waitlist_position)
        return _("%(name)s has a place.", name=who)

    @bp.post("/registrations/<id:activity_id>/register", defaults={"session_id": None})
    @bp.post("/registrations/<id:activity_id>/<id:session_id>/register")
    def register(activity_id: str, session_id: str | None):
        person = request.form.get("person", "").strip()
        household = request.form.get("household", "").strip()
        who = request.form.get("who", "").strip()[:200]
        scope = scope_name(activity_id, session_id)
        if household:
            if not ID.fullmatch(household):
                flash(_("Choose the household to register."), "error")
                return back(activity_id, session_id)
            activity, _s = load(activity_id, None)
            answer, refusal = call(registrations.RegisterHousehold, registration_pb2.RegisterHouseholdRequest(
                parent=scope, household=f"{org}/households/{household}", purpose=purpose_for(activity),
                request_id=form_request_id()), service="events")
            if refusal is not None:
                flash(refusal_text(refusal), "error")
                return back(activity_id, session_id)
            names = names_of([x.person for x in answer.results], purpose_for(activity))
            for x in answer.results:
                name = names.get(x.person, last_id(x.person))
                flash(_("%(name)s was registered already.", name=name) if x.already_registered
                      else said(x.registration, name), "success")
            return back(activity_id, session_id)
        if not ID.fullmatch(person):
            flash(_("Choose the person to register."), "error")
            return back(activity_id, session_id)
        answer, refusal = call(registrations.CreateRegistration, registration_pb2.CreateRegistrationRequest(
            parent=scope, registration=registration_pb2.Registration(person=f"{org}/persons/{person}"),
            request_id=form_request_id()), service="events")
        if refusal is not None:
            flash(refusal_text(refusal), "error")
            return back(activity_id, session_id)
        flash(said(answer, who or _("The person")), "success")
        return back(activity_id, session_id)

    @bp.post("/registrations/<id:activity_id>/search", defaults={"session_id": None})
    @bp.post("/registrations/<id:activity_id>/<id:session_id>/search")
    def search(activity_id: str, session_id: str | None):
        """A POST rendered directly: the words searched for are personal data, never in a URL."""
        query = request.form.get("query", "").strip()[:MAX_QUERY]
        if not query:
            refusal = ServiceRefusal(400, "QUERY_REQUIRED", _("Write the start of a name to search."),
                                     {"query": _("Write the start of the given or family name.")})
            return show(activity_id, session_id, query=query, refusal=refusal, status=400)
        activity, _s = load(activity_id, None)
        page, refusal = call(membership.ListPersons, membership_pb2.ListPersonsRequest(
            parent=org, page_size=SEARCH_RESULTS, query=query, purpose=purpose_for(activity)), service="membership")
        if refusal is not None:
            return show(activity_id, session_id, query=query, refusal=refusal, status=refusal.status)
        return show(activity_id, session_id, query=query, found=list(page.persons))

    @bp.post("/registrations/<id:activity_id>/cancel/<id:registration_id>", defaults={"session_id": None})
    @bp.post("/registrations/<id:activity_id>/<id:session_id>/cancel/<id:registration_id>")
    def cancel(activity_id: str, session_id: str | None, registration_id: str):
        answer, refusal = call(registrations.CancelRegistration, registration_pb2.CancelRegistrationRequest(
            name=f"{activity_name(activity_id)}/registrations/{registration_id}", request_id=form_request_id()),
            service="events")
        if refusal is not None:
            flash(refusal_text(refusal), "error")
            return back(activity_id, session_id)
        flash(_("The registration is cancelled."), "success")
        if answer.promoted:
            activity, _s = load(activity_id, None)
            names = names_of([p.person for p in answer.promoted], purpose_for(activity))
            for p in answer.promoted:
                flash(_("%(name)s got the place from the waiting list.", name=names.get(p.person, last_id(p.person))),
                      "success")
        return back(activity_id, session_id)

    @bp.post("/registrations/<id:activity_id>/confirm/<id:registration_id>", defaults={"session_id": None})
    @bp.post("/registrations/<id:activity_id>/<id:session_id>/confirm/<id:registration_id>")
    def confirm(activity_id: str, session_id: str | None, registration_id: str):
        _a, refusal = call(registrations.ConfirmRegistration, registration_pb2.ConfirmRegistrationRequest(
            name=f"{activity_name(activity_id)}/registrations/{registration_id}", request_id=form_request_id()),
            service="events")
        flash(refusal_text(refusal) if refusal else _("The place is confirmed."), "error" if refusal else "success")
        return back(activity_id, session_id)

    @bp.post("/registrations/<id:activity_id>/<id:session_id>/no-shows")
    def no_shows(activity_id: str, session_id: str):
        answer, refusal = call(registrations.MarkNoShows, registration_pb2.MarkNoShowsRequest(
            session=scope_name(activity_id, session_id), request_id=form_request_id()), service="events")
        if refusal is not None:
            flash(refusal_text(refusal), "error")
        else:
            flash(_("Marked: %(came)s came, %(missed)s did not come.", came=answer.attended_count,
                    missed=answer.no_show_count), "success")
        return back(activity_id, session_id)

    return bp
