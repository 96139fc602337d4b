"""Sessions and the check-in at a session (volunteers and coordinators), made for a phone at the door
with a queue of people waiting.

``/sessions`` lists every activity's sessions from a day (today unless another is chosen) and the 14
days after it, grouped by day. A session's check-in page shows its totals, one big button per person
who came to the activity's last sessions and is not checked in yet (a regular group is checked in in a
minute), the people present with an undo each, a search to add someone, and the head counts by gender
and age band with − and + per cell. Every button is a small form of its own with the CSRF token and a
request_id, answered by a redirect back to the same place on the page (POST-redirect-GET), so a double
tap does the work once and the back button sends nothing again. A refusal (the session is full or
cancelled, the person is already checked in) comes back as a notice at the top of the page.

The purpose of the reads: a check-in page reads the session's roster, the rosters of the activity's
last sessions and the names on them (and, for a search, the people found) for exactly one reason, the
attendance at this session. So it reads them with that purpose, fixed and truthful, written by the page
itself: "attendance at <activity> on <date>" in the user's language. Asking a volunteer at the door to
choose a purpose first would only slow the queue down and teach them to pick anything, and the audit
log then names the very session, which a purpose chosen earlier for other work would not. Names appear
in the pages' bodies only: URLs carry ids, and titles say "Check-in".
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from brobygger.events.v1 import events_pb2, events_pb2_grpc
from brobygger.membership.v1 import membership_pb2, membership_pb2_grpc
from brobygger.type.v1 import types_pb2
from gateway.web import consents, labels
from gateway.web.periods import ZONE
from gateway.web.ui import ServiceRefusal, area, call, channel, form_request_id, nav_item, request_id
from services.common.audit import MAX_PURPOSE

if TYPE_CHECKING:
    from gateway.app import Gateway

ROLES = ("volunteer", "coordinator")
DAYS_AHEAD = 14
# The activity's sessions before this one whose people are offered as "came last time".
LAST_SESSIONS = 3
# How far back to look for them (a monthly activity's three sessions fit).
LOOK_BACK_DAYS = 120
MAX_PAGES = 10          # of 200 sessions or attendances: beyond it a listing is cut short
BATCH = 100             # BatchGetPersons' limit
SEARCH_RESULTS = 20
MAX_QUERY = 100
ANCHOR = re.compile(r"[a-z0-9-]{1,40}")
GENDERS = ("GENDER_FEMALE", "GENDER_MALE", "GENDER_OTHER", "GENDER_UNDISCLOSED")
AGE_BANDS = ("AGE_BAND_0_12", "AGE_BAND_13_19", "AGE_BAND_20_25", "AGE_BAND_26_66", "AGE_BAND_67_PLUS",
             "AGE_BAND_UNKNOWN")
# Genders whose head counts are shown open on the page; the others are folded until they have a count.
OPEN_GENDERS = ("GENDER_FEMALE", "GENDER_MALE")

nav_item("checkin.index", _l("Sessions"), _l("Today's and the coming sessions, and the check-in at each"), ROLES,
         first=True)


def last_id(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def today() -> dt.date:
    return dt.datetime.now(ZONE).date()


def parse_day(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw and re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw) else None
    except ValueError:
        return None


def day_label(day: dt.date, now: dt.date) -> str:
    if day == now:
        return _("Today")
    if day == now + dt.timedelta(days=1):
        return _("Tomorrow")
    if day == now - dt.timedelta(days=1):
        return _("Yesterday")
    text = format_date(day, "full")
    return text[:1].upper() + text[1:]


def cell_anchor(gender: str, band: str) -> str:
    """The id of a head-count cell's row on the page, e.g. hc-female-0-12."""
    return ("hc-" + gender.removeprefix("GENDER_") + "-" + band.removeprefix("AGE_BAND_")).lower().replace("_", "-")


def full_name(person: membership_pb2.Person) -> str:
    return f"{person.given_name} {person.family_name}".strip()


def names_by_person(membership, org: str, person_names: Iterable[str], purpose: str) -> dict[str, str]:
    """Each person's full name by resource name, read in batches of BatchGetPersons' limit with the purpose
    (membership audits each read); a person membership does not answer for is left out."""
    wanted = list(dict.fromkeys(person_names))
    found: dict[str, str] = {}
    for i in range(0, len(wanted), BATCH):
        answer, _r = call(membership.BatchGetPersons, membership_pb2.BatchGetPersonsRequest(
            parent=org, names=wanted[i:i + BATCH], purpose=purpose), service="membership")
        if answer is not None:
            found.update({p.name: full_name(p) for p in answer.persons})
    return found


def refusal_text(refusal: ServiceRefusal, who: str = "") -> str:
    """A refused tap in plain words."""
    if refusal.reason == "ALREADY_ATTENDED":
        return (_("%(name)s is already checked in at this session.", name=who) if who
                else _("That person is already checked in at this session."))
    if refusal.reason == "CAPACITY_REACHED":
        return _("The session is full: every place of the activity is taken. A coordinator can raise the "
                 "activity's number of places.")
    if refusal.reason == "SESSION_CANCELLED":
        return _("This session is cancelled, so it takes no attendance.")
    if refusal.reason == "HEAD_COUNT_ZERO":
        return _("That head count is already at 0.")
    if refusal.reason == "ANONYMOUS_ACTIVITY":
        return _("This activity counts people without names: use the head counts.")
    if refusal.status == 429:
        return _("Too many taps at once. Wait a moment and tap again.")
    return refusal.message


@dataclass
class Present:
    attendance_id: str
    person_id: str
    name: str
    photo: bool = False  # the person's consent for photos is in force (gateway.web.consents.PhotoConsents)


@dataclass
class Cell:
    gender: str
    age_band: str
    label: str
    count: int
    anchor: str


def blueprint(gw: Gateway):
    bp = area("checkin", gw, roles=ROLES)
    events = events_pb2_grpc.EventsServiceStub(channel(gw, "events"))
    membership = membership_pb2_grpc.MembershipServiceStub(channel(gw, "membership"))
    photos = consents.PhotoConsents(gw)
    org = f"organizations/{gw.settings.org}"

    def activity_name(aid: str) -> str:
        return f"{org}/activities/{aid}"

    def session_name(aid: str, sid: str) -> str:
        return f"{activity_name(aid)}/sessions/{sid}"

    def pages(rpc, make, field: str, service: str = "events") -> list:
        """Every item of a paged listing (at most MAX_PAGES pages)."""
        items: list = []
        token = ""
        for _page in range(MAX_PAGES):
            answer, _r = call(rpc, make(token), service=service)
            if answer is None:
                break
            items.extend(getattr(answer, field))
            token = answer.next_page_token
            if not token:
                break
        return items

    @bp.get("/sessions")
    def index():
        now = today()
        first = parse_day(request.args.get("from")) or now
        last = first + dt.timedelta(days=DAYS_AHEAD)
        activities = {a.name: a for a in pages(events.ListActivities, lambda t: events_pb2.ListActivitiesRequest(
            parent=org, page_size=200, page_token=t), "activities")}
        sessions = pages(events.ListSessions, lambda t: events_pb2.ListSessionsRequest(
            parent=f"{org}/activities/-", page_size=200, page_token=t, start_date=first.isoformat(),
            end_date=last.isoformat()), "sessions")
        days: dict[str, list] = {}
        for s in sessions:
            aname = s.name.rsplit("/sessions/", 1)[0]
            activity = activities.get(aname)
            days.setdefault(s.date, []).append({
                "session": s, "title": activity.title if activity else _("(an activity)"),
                "anonymous": bool(activity and activity.anonymous_attendance),
                "cancelled": s.state == events_pb2.SESSION_STATE_CANCELLED,
                "url": url_for("checkin.session", activity_id=last_id(aname), session_id=last_id(s.name))})
        grouped = []
        for d, items in sorted(days.items()):
            day = dt.date.fromisoformat(d)
            grouped.append({"date": d, "day": day, "label": day_label(day, now), "today": day == now,
                            "named": abs((day - now).days) <= 1, "items": items})
        return render_template("checkin/index.html", days=grouped, first=first, last=last, now=now,
                               earlier=(first - dt.timedelta(days=DAYS_AHEAD + 1)).isoformat(),
                               later=(last + dt.timedelta(days=1)).isoformat(),
                               has_today=any(g["today"] for g in grouped))

    def purpose_for(activity: events_pb2.Activity, session: events_pb2.Session) -> str:
        """The fixed purpose of every read this page makes (see the module's docstring)."""
        title = activity.title
        text = _("attendance at %(activity)s on %(date)s", activity=title, date=session.date)
        while len(text) > MAX_PURPOSE and title:
            title = title[:-10]
            text = _("attendance at %(activity)s on %(date)s", activity=title + "…", date=session.date)
        return text

    def roster(parent: str, purpose: str) -> list[events_pb2.Attendance]:
        return pages(events.ListAttendances, lambda t: events_pb2.ListAttendancesRequest(
            parent=parent, page_size=200, page_token=t, purpose=purpose), "attendances")

    def names_of(person_names: Iterable[str], purpose: str) -> dict[str, str]:
        return names_by_person(membership, org, person_names, purpose)

    def earlier_sessions(activity: events_pb2.Activity, session: events_pb2.Session) -> list[events_pb2.Session]:
        """The activity's last LAST_SESSIONS sessions that took place before this one."""
        day = dt.date.fromisoformat(session.date)
        listed = pages(events.ListSessions, lambda t: events_pb2.ListSessionsRequest(
            parent=activity.name, page_size=200, page_token=t,
            start_date=(day - dt.timedelta(days=LOOK_BACK_DAYS)).isoformat(), end_date=session.date), "sessions")
        before = [s for s in listed if s.name != session.name and s.state != events_pb2.SESSION_STATE_CANCELLED
                  and (s.date, s.start_time) < (session.date, session.start_time)]
        return before[-LAST_SESSIONS:]

    def load(aid: str, sid: str):
        activity, _r = call(events.GetActivity, events_pb2.GetActivityRequest(name=activity_name(aid)),
                            service="events")
        session, _r = call(events.GetSession, events_pb2.GetSessionRequest(name=session_name(aid, sid)),
                           service="events")
        return activity, session

    def show(aid: str, sid: str, *, loaded: tuple | None = None, query: str = "", found: list | None = None,
             search_refusal: ServiceRefusal | None = None, status: int = 200):
        activity, session = loaded or load(aid, sid)
        summary, _r = call(events.GetSessionSummary, events_pb2.GetSessionSummaryRequest(
            name=session.name + "/summary"), service="events")
        purpose = purpose_for(activity, session)
        present: list[Present] = []
        regulars: list[dict] = []
        photos_known = True
        if not activity.anonymous_attendance:
            now = [a for a in roster(session.name, purpose) if a.WhichOneof("participant") == "person"]
            before: list[str] = []
            for earlier in reversed(earlier_sessions(activity, session)):  # the latest first
                before += [a.person for a in roster(earlier.name, purpose) if a.WhichOneof("participant") == "person"]
            here = {a.person for a in now}
            came = [p for p in dict.fromkeys(before) if p not in here]
            names = names_of([a.person for a in now] + came, purpose)
            may_photo, photos_known = photos.allowed([a.person for a in now], purpose) if now else (set(), True)
            present = [Present(last_id(a.name), last_id(a.person), names.get(a.person, last_id(a.person)),
                               a.person in may_photo)
                       for a in reversed(now)]  # the latest tap first
            regulars = sorted(({"person_id": last_id(p), "name": names.get(p, last_id(p))} for p in came),
                              key=lambda r: r["name"].casefold())
        counts = {(types_pb2.Gender.Name(h.gender), types_pb2.AgeBand.Name(h.age_band)): h.count
                  for h in (summary.head_counts if summary else [])}
        grid = []
        for g in GENDERS:
            cells = [Cell(g, b, str(labels.AGE_BAND[b]), counts.get((g, b), 0), cell_anchor(g, b))
                     for b in AGE_BANDS]
            total = sum(c.count for c in cells)
            label = str(labels.GENDER[g])
            grid.append({"gender": g, "label": label, "heading": label[:1].upper() + label[1:], "cells": cells, "total": total,
                         "open": g in OPEN_GENDERS or total > 0})
        here_ids = {p.person_id for p in present}
        results = [{"person_id": last_id(p.name), "name": full_name(p), "birth_year": p.birth_year,
                    "present": last_id(p.name) in here_ids} for p in (found or [])]
        return render_template(
            "checkin/session.html", activity=activity, session=session, summary=summary, aid=aid, sid=sid,
            day=dt.date.fromisoformat(session.date), cancelled=session.state == events_pb2.SESSION_STATE_CANCELLED,
            present=present, regulars=regulars, grid=grid, query=query, results=results,
            searched=found is not None, search_refusal=search_refusal, request_id=request_id,
            photos_known=photos_known, no_photo=sum(1 for p in present if not p.photo),
            max_query=MAX_QUERY), status

    @bp.get("/sessions/<id:activity_id>/<id:session_id>")
    def session(activity_id: str, session_id: str):
        return show(activity_id, session_id)

    def back(aid: str, sid: str, anchor: str = ""):
        anchor = anchor if ANCHOR.fullmatch(anchor or "") else ""
        return redirect(url_for("checkin.session", activity_id=aid, session_id=sid, _anchor=anchor or None))

    def refused(aid: str, sid: str, refusal: ServiceRefusal, who: str = ""):
        flash(refusal_text(refusal, who), "error")
        return back(aid, sid)

    def who() -> str:
        return request.form.get("who", "").strip()[:200]

    @bp.post("/sessions/<id:activity_id>/<id:session_id>/attendances")
    def check_in(activity_id: str, session_id: str):
        person = request.form.get("person", "").strip()
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,62}", person):
            flash(_("Choose the person to check in."), "error")
            return back(activity_id, session_id)
        _done, refusal = call(events.RecordAttendance, events_pb2.RecordAttendanceRequest(
            parent=session_name(activity_id, session_id),
            attendance=events_pb2.Attendance(person=f"{org}/persons/{person}"), request_id=form_request_id()),
            service="events")
        if refusal is not None:
            return refused(activity_id, session_id, refusal, who())
        section = request.form.get("back", "")
        flash(_("Checked in: %(name)s", name=who()) if who() else _("Checked in."), f"done-{section}")
        return back(activity_id, session_id, section)

    @bp.post("/sessions/<id:activity_id>/<id:session_id>/attendances/<id:attendance_id>/withdraw")
    def undo(activity_id: str, session_id: str, attendance_id: str):
        _done, refusal = call(events.WithdrawAttendance, events_pb2.WithdrawAttendanceRequest(
            name=f"{session_name(activity_id, session_id)}/attendances/{attendance_id}", request_id=form_request_id()),
            service="events")
        if refusal is not None:
            return refused(activity_id, session_id, refusal, who())
        flash(_("Undone: %(name)s is no longer checked in.", name=who()) if who() else _("Undone."), "done-present")
        return back(activity_id, session_id, "present")

    @bp.post("/sessions/<id:activity_id>/<id:session_id>/head-counts")
    def head_count(activity_id: str, session_id: str):
        gender, band = request.form.get("gender", ""), request.form.get("age_band", "")
        if gender not in GENDERS or band not in AGE_BANDS:
            flash(_("Choose a gender and an age band."), "error")
            return back(activity_id, session_id, "head-counts")
        parent = session_name(activity_id, session_id)
        if request.form.get("step") == "-1":
            _done, refusal = call(events.DecrementHeadCount, events_pb2.DecrementHeadCountRequest(
                session=parent, gender=types_pb2.Gender.Value(gender), age_band=types_pb2.AgeBand.Value(band),
                request_id=form_request_id()), service="events")
        else:
            _done, refusal = call(events.RecordAttendance, events_pb2.RecordAttendanceRequest(
                parent=parent, attendance=events_pb2.Attendance(head_count=events_pb2.HeadCount(
                    gender=types_pb2.Gender.Value(gender), age_band=types_pb2.AgeBand.Value(band), count=1)),
                request_id=form_request_id()), service="events")
        if refusal is not None:
            return refused(activity_id, session_id, refusal)
        return back(activity_id, session_id, cell_anchor(gender, band))

    @bp.post("/sessions/<id:activity_id>/<id:session_id>/search")
    def search(activity_id: str, session_id: str):
        """Search to add someone: a POST rendered directly (the words are personal data, so never in a URL)."""
        query = request.form.get("query", "").strip()[:MAX_QUERY]
        if not query:
            refusal = ServiceRefusal(400, "QUERY_REQUIRED", _("Write the start of a name to search."),
                                     {"query": _("Write the start of the given or family name.")})
            return show(activity_id, session_id, query=query, search_refusal=refusal, status=400)
        activity, session = loaded = load(activity_id, session_id)
        if activity.anonymous_attendance:
            return back(activity_id, session_id, "head-counts")
        page, refusal = call(membership.ListPersons, membership_pb2.ListPersonsRequest(
            parent=org, page_size=SEARCH_RESULTS, query=query, purpose=purpose_for(activity, session)),
            service="membership")
        if refusal is not None:
            return show(activity_id, session_id, loaded=loaded, query=query, search_refusal=refusal,
                        status=refusal.status)
        return show(activity_id, session_id, loaded=loaded, query=query, found=list(page.persons))

    return bp
