"""Volunteer hours in the web app, for coordinators (a login is not tied to a person of the register, so a
volunteer cannot be recognised as logging their own hours: the coordinator logs them for everyone).

``/sessions/<a>/<s>/hours`` is made for a phone at the end of a session: one button per volunteer who gave
time to the activity before and has no hours at this session yet logs the session's length for them in one
tap; a search adds someone else the same way; the hours logged at the session are listed with a link to
correct each (another length, a task) and a button to withdraw it. Like the check-in, the page reads for
one purpose it states itself: "volunteer hours at <activity> on <date>".

``/activities/<a>/hours`` lists an activity's hours, newest first, with their total, under the purpose in
force (gateway.web.purpose); ``/activities/<a>/hours/<e>`` corrects or withdraws one entry.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Iterable

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _

from brobygger.events.v1 import events_pb2, events_pb2_grpc
from brobygger.membership.v1 import membership_pb2, membership_pb2_grpc
from gateway.web.purpose import current_purpose, need_purpose
from gateway.web.checkin import full_name, names_by_person
from gateway.web.ui import ServiceRefusal, area, call, channel, form_request_id, request_id
from services.common.audit import MAX_PURPOSE

if TYPE_CHECKING:
    from gateway.app import Gateway

ROLES = ("coordinator",)
SEARCH_RESULTS = 20
MAX_QUERY = 100
MAX_TASK = 200
MAX_HOURS = 12
# How many of the activity's latest entries are read to find its volunteers.
VOLUNTEER_LOOKBACK = 200
DEFAULT_MINUTES = 60
ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,62}")


def last_id(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def hours_text(minutes: int) -> str:
    """Minutes as hours in the page's language, e.g. 1,5 t (bokmål) or 1.5 h."""
    return _("%(hours)s h", hours=format_decimal(round(minutes / 60, 2), format="#,##0.##"))


def minutes_from(raw: str) -> int | None:
    """Hours as typed (1,5 or 1.5 or 1:30) as minutes; None when they are not a length from 1 minute to 12 hours."""
    text = raw.strip().replace(",", ".")
    clock = re.fullmatch(r"(\d{1,2}):([0-5]\d)", text)
    if clock:
        minutes = int(clock.group(1)) * 60 + int(clock.group(2))
    else:
        try:
            minutes = int((Decimal(text) * 60).to_integral_value())
        except (InvalidOperation, ValueError):
            return None
    return minutes if 1 <= minutes <= MAX_HOURS * 60 else None


def default_minutes(session: events_pb2.Session) -> int:
    return session.duration_minutes if 1 <= session.duration_minutes <= MAX_HOURS * 60 else DEFAULT_MINUTES


def blueprint(gw: Gateway):
    bp = area("hours", gw, roles=ROLES)
    events = events_pb2_grpc.EventsServiceStub(channel(gw, "events"))
    membership = membership_pb2_grpc.MembershipServiceStub(channel(gw, "membership"))
    org = f"organizations/{gw.settings.org}"

    def activity_name(aid: str) -> str:
        return f"{org}/activities/{aid}"

    def session_name(aid: str, sid: str) -> str:
        return f"{activity_name(aid)}/sessions/{sid}"

    def purpose_for(activity: events_pb2.Activity, session: events_pb2.Session) -> str:
        title = activity.title
        text = _("volunteer hours at %(activity)s on %(date)s", activity=title, date=session.date)
        while len(text) > MAX_PURPOSE and title:
            title = title[:-10]
            text = _("volunteer hours at %(activity)s on %(date)s", activity=title + "…", date=session.date)
        return text

    def names_of(person_names: Iterable[str], purpose: str) -> dict[str, str]:
        return names_by_person(membership, org, person_names, purpose)

    def entries(parent: str, purpose: str, size: int = 200, token: str = ""):
        answer, _r = call(events.ListHoursEntries, events_pb2.ListHoursEntriesRequest(
            parent=parent, purpose=purpose, page_size=size, page_token=token), service="events")
        return answer

    def load(aid: str, sid: str):
        activity, _r = call(events.GetActivity, events_pb2.GetActivityRequest(name=activity_name(aid)),
                            service="events")
        session, _r = call(events.GetSession, events_pb2.GetSessionRequest(name=session_name(aid, sid)),
                           service="events")
        return activity, session

    def show_session(aid: str, sid: str, *, query: str = "", found: list | None = None,
                     refusal: ServiceRefusal | None = None, status: int = 200):
        activity, session = load(aid, sid)
        purpose = purpose_for(activity, session)
        here = entries(session.name, purpose)
        logged = list(here.hours_entries) if here else []
        earlier = entries(activity.name, purpose, VOLUNTEER_LOOKBACK)
        logged_people = {e.person for e in logged}
        regulars = [p for p in dict.fromkeys(e.person for e in (earlier.hours_entries if earlier else []))
                    if p not in logged_people]
        names = names_of([e.person for e in logged] + regulars, purpose)
        minutes = default_minutes(session)
        rows = [{"id": last_id(e.name), "name": names.get(e.person, last_id(e.person)),
                 "hours": hours_text(e.duration_minutes), "task": e.task, "logged_by": e.logged_by}
                for e in logged]
        offers = sorted(({"person_id": last_id(p), "name": names.get(p, last_id(p))} for p in regulars),
                        key=lambda r: r["name"].casefold())
        results = [{"person_id": last_id(p.name), "name": full_name(p), "birth_year": p.birth_year,
                    "logged": p.name in logged_people} for p in (found or [])]
        return render_template(
            "hours/session.html", activity=activity, session=session, aid=aid, sid=sid,
            day=dt.date.fromisoformat(session.date), cancelled=session.state == events_pb2.SESSION_STATE_CANCELLED,
            rows=rows, offers=offers, results=results, searched=found is not None, query=query, refusal=refusal,
            minutes=minutes, default_hours=hours_text(minutes), total=hours_text(here.total_minutes if here else 0),
            request_id=request_id, max_query=MAX_QUERY), status

    @bp.get("/sessions/<id:activity_id>/<id:session_id>/hours")
    def session_hours(activity_id: str, session_id: str):
        return show_session(activity_id, session_id)

    def back(aid: str, sid: str, anchor: str = "logged"):
        return redirect(url_for("hours.session_hours", activity_id=aid, session_id=sid, _anchor=anchor))

    def refusal_text(refusal: ServiceRefusal) -> str:
        if refusal.reason == "SESSION_CANCELLED":
            return _("This session is cancelled, so nobody gave time at it.")
        if refusal.reason == "PERSON_NOT_FOUND":
            return _("That person is not in the register.")
        return refusal.message

    @bp.post("/sessions/<id:activity_id>/<id:session_id>/hours")
    def log(activity_id: str, session_id: str):
        person = request.form.get("person", "").strip()
        who = request.form.get("who", "").strip()[:200]
        minutes = request.form.get("minutes", "").strip()
        if not ID.fullmatch(person) or not minutes.isdigit():
            flash(_("Choose the volunteer whose hours to log."), "error")
            return back(activity_id, session_id)
        _done, refusal = call(events.LogVolunteerHours, events_pb2.LogVolunteerHoursRequest(
            parent=activity_name(activity_id), hours_entry=events_pb2.HoursEntry(
                person=f"{org}/persons/{person}", session=session_name(activity_id, session_id),
                duration_minutes=int(minutes)), request_id=form_request_id()), service="events")
        if refusal is not None:
            flash(refusal_text(refusal), "error")
            return back(activity_id, session_id)
        flash(_("Hours logged: %(name)s, %(hours)s", name=who, hours=hours_text(int(minutes))) if who
              else _("Hours logged."), "success")
        return back(activity_id, session_id)

    @bp.post("/sessions/<id:activity_id>/<id:session_id>/hours/search")
    def search(activity_id: str, session_id: str):
        """Search to add a volunteer: a POST rendered directly (the words are personal data, never in a URL)."""
        query = request.form.get("query", "").strip()[:MAX_QUERY]
        if not query:
            refusal = ServiceRefusal(400, "QUERY_REQUIRED", _("Write the start of a name to search."),
                                     {"query": _("Write the start of the given or family name.")})
            return show_session(activity_id, session_id, query=query, refusal=refusal, status=400)
        activity, session = load(activity_id, session_id)
        page, refusal = call(membership.ListPersons, membership_pb2.ListPersonsRequest(
            parent=org, page_size=SEARCH_RESULTS, query=query, purpose=purpose_for(activity, session)),
            service="membership")
        if refusal is not None:
            return show_session(activity_id, session_id, query=query, refusal=refusal, status=refusal.status)
        return show_session(activity_id, session_id, query=query, found=list(page.persons))

    def withdraw(aid: str, eid: str) -> ServiceRefusal | None:
        return call(events.WithdrawHoursEntry, events_pb2.WithdrawHoursEntryRequest(
            name=f"{activity_name(aid)}/hoursEntries/{eid}", request_id=form_request_id()), service="events")[1]

    @bp.post("/sessions/<id:activity_id>/<id:session_id>/hours/<id:entry_id>/withdraw")
    def withdraw_at_session(activity_id: str, session_id: str, entry_id: str):
        refusal = withdraw(activity_id, entry_id)
        flash(refusal.message if refusal else _("The hours are withdrawn."), "error" if refusal else "success")
        return back(activity_id, session_id)

    # ------------------------------------------------------------------ an activity's hours

    @bp.get("/activities/<id:activity_id>/hours")
    def activity_hours(activity_id: str):
        asked = need_purpose()
        if asked is not None:
            return asked
        purpose = current_purpose()
        activity, _r = call(events.GetActivity, events_pb2.GetActivityRequest(name=activity_name(activity_id)),
                            service="events")
        token = request.args.get("page", "")[:1000]
        page = entries(activity.name, purpose, 50, token)
        if page is None:  # a stale page token: start again
            return redirect(url_for("hours.activity_hours", activity_id=activity_id))
        names = names_of([e.person for e in page.hours_entries], purpose)
        rows = [{"id": last_id(e.name), "date": dt.date.fromisoformat(e.date),
                 "name": names.get(e.person, last_id(e.person)), "hours": hours_text(e.duration_minutes),
                 "task": e.task, "session_id": last_id(e.session) if e.session else ""} for e in page.hours_entries]
        return render_template("hours/activity.html", activity=activity, aid=activity_id, rows=rows,
                               total=hours_text(page.total_minutes), next_page=page.next_page_token)

    def edit_page(aid: str, entry: events_pb2.HoursEntry, name: str, values: dict,
                  refusal: ServiceRefusal | None = None, status: int = 200):
        activity, _r = call(events.GetActivity, events_pb2.GetActivityRequest(name=activity_name(aid)),
                            service="events")
        return render_template("hours/edit.html", activity=activity, aid=aid, eid=last_id(entry.name), who=name,
                               entry=entry, values=values, refusal=refusal, request_id=request_id(),
                               at_session=bool(entry.session),
                               withdrawn=entry.state == events_pb2.HOURS_ENTRY_STATE_WITHDRAWN), status

    def entry_values(e: events_pb2.HoursEntry) -> dict:
        return {"hours": format_decimal(round(e.duration_minutes / 60, 2), format="0.##"), "date": e.date,
                "task": e.task}

    @bp.route("/activities/<id:activity_id>/hours/<id:entry_id>", methods=["GET", "POST"])
    def edit(activity_id: str, entry_id: str):
        asked = need_purpose()
        if asked is not None:
            return asked
        purpose = current_purpose()
        name = f"{activity_name(activity_id)}/hoursEntries/{entry_id}"
        entry, _r = call(events.GetHoursEntry, events_pb2.GetHoursEntryRequest(name=name, purpose=purpose),
                         service="events")
        who = names_of([entry.person], purpose).get(entry.person, last_id(entry.person))
        before = entry_values(entry)
        if request.method == "GET":
            return edit_page(activity_id, entry, who, before)
        after = {"hours": request.form.get("hours", "").strip(), "date": request.form.get("date", "").strip(),
                 "task": request.form.get("task", "").strip()[:MAX_TASK]}
        if entry.session:
            after["date"] = entry.date
        minutes = minutes_from(after["hours"])
        if minutes is None:
            refusal = ServiceRefusal(400, "INVALID_FIELDS", _("Check the fields marked below."), {
                "hours": _("Write the hours, for example 1,5 or 1:30: at least one minute, at most 12 hours.")})
            return edit_page(activity_id, entry, who, after, refusal, 400)
        mask = [f for f, k in (("duration_minutes", "hours"), ("date", "date"), ("task", "task"))
                if (minutes != entry.duration_minutes if k == "hours" else before[k] != after[k])]
        if mask:
            message = events_pb2.UpdateHoursEntryRequest(
                hours_entry=events_pb2.HoursEntry(name=name, duration_minutes=minutes, date=after["date"],
                                                  task=after["task"]), request_id=form_request_id())
            message.update_mask.paths.extend(mask)
            _done, refusal = call(events.UpdateHoursEntry, message, service="events")
            if refusal is not None:
                refusal.fields = {("hours" if k == "duration_minutes" else k): v for k, v in refusal.fields.items()}
                return edit_page(activity_id, entry, who, after, refusal, refusal.status)
            flash(_("The hours are corrected."), "success")
        return redirect(url_for("hours.activity_hours", activity_id=activity_id))

    @bp.post("/activities/<id:activity_id>/hours/<id:entry_id>/withdraw")
    def withdraw_entry(activity_id: str, entry_id: str):
        refusal = withdraw(activity_id, entry_id)
        flash(refusal.message if refusal else _("The hours are withdrawn."), "error" if refusal else "success")
        return redirect(url_for("hours.activity_hours", activity_id=activity_id))

    @bp.get("/persons/<id:person_id>/hours")
    def person_hours(person_id: str):
        """A person's volunteer hours on every activity, newest first, with their total."""
        asked = need_purpose()
        if asked is not None:
            return asked
        purpose = current_purpose()
        person = f"{org}/persons/{person_id}"
        token = request.args.get("page", "")[:1000]
        page, _r = call(events.ListHoursEntries, events_pb2.ListHoursEntriesRequest(
            parent=f"{org}/activities/-", person=person, purpose=purpose, page_size=50, page_token=token),
            service="events")
        if page is None:  # a stale page token: start again
            return redirect(url_for("hours.person_hours", person_id=person_id))
        titles: dict[str, str] = {}
        for e in page.hours_entries:
            aname = e.name.rsplit("/hoursEntries/", 1)[0]
            if aname not in titles:
                found, _r = call(events.GetActivity, events_pb2.GetActivityRequest(name=aname), service="events")
                titles[aname] = found.title
        rows = [{"id": last_id(e.name), "aid": last_id(e.name.rsplit("/hoursEntries/", 1)[0]),
                 "date": dt.date.fromisoformat(e.date), "activity": titles[e.name.rsplit("/hoursEntries/", 1)[0]],
                 "hours": hours_text(e.duration_minutes), "task": e.task} for e in page.hours_entries]
        name = names_of([person], purpose).get(person, person_id)
        return render_template("hours/person.html", pid=person_id, who=name, rows=rows,
                               total=hours_text(page.total_minutes), next_page=page.next_page_token)

    return bp
