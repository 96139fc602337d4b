"""Node mode: one organisation's REST API over its four gRPC services.

Resources are addressed by id under /api/v1 (``/api/v1/persons/{person_id}``);
the gateway turns them into the services' organisation-scoped names
(``organizations/mir/persons/{person_id}``). Every response carries those
names, so a client can take the id from the last segment.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, ClassVar, Mapping

import grpc
from google.protobuf import field_mask_pb2

from brobygger.events.v1 import events_pb2, events_pb2_grpc
from brobygger.membership.v1 import membership_pb2, membership_pb2_grpc
from brobygger.referral.v1 import referral_pb2, referral_pb2_grpc
from brobygger.reporting.v1 import reporting_pb2, reporting_pb2_grpc
from brobygger.type.v1 import types_pb2
from gateway import rest_imports
from gateway.api import API_PREFIX, Api, Body, Call, Operation, Param
from gateway.problems import Problem
from gateway.rest_hours import register_volunteer_hours
from services.common.audit import MAX_ACTOR, MAX_PURPOSE, MAX_RESOURCE, check_purpose
from services.common.errors import InvalidArgument

# upstream name -> (full gRPC service name) for /healthz
SERVICES = {
    "membership": membership_pb2.DESCRIPTOR.services_by_name["MembershipService"].full_name,
    "events": events_pb2.DESCRIPTOR.services_by_name["EventsService"].full_name,
    "referral": referral_pb2.DESCRIPTOR.services_by_name["ReferralService"].full_name,
    "reporting": reporting_pb2.DESCRIPTOR.services_by_name["ReportingService"].full_name,
}

PAGE = (
    Param("page_size", "How many to return at most; 0 or absent means the service's default (50). "
                       "The service caps it at 200.", kind="integer"),
    Param("page_token", "The next_page_token of the previous page; absent for the first page."),
)


@dataclass(frozen=True)
class Purpose(Param):
    """The purpose of a read of personal data: required, one line of at most 200 characters. Checked by the
    same rule as in the services (services.common.audit.check_purpose), so the answer is the same."""

    what: str = "this record"
    example: str = "follow-up"

    def schema(self) -> dict:
        return {"type": "string", "minLength": 1, "maxLength": MAX_PURPOSE, "examples": [self.example]}

    def parse(self, raw: str | None, errors: list[tuple[str, str]]) -> Any:
        try:
            return check_purpose(raw or "", self.what, self.example)
        except InvalidArgument as exc:
            errors.extend((self.name, v.description) for v in exc.violations)
            return ""


def purpose(what: str, example: str) -> Purpose:
    return Purpose("purpose", f"Required: why you read {what}, one line of at most {MAX_PURPOSE} characters, e.g. "
                              f"{example!r}. Written to the audit log together with who read it.",
                   required=True, what=what, example=example)


PERSON_PURPOSE = purpose("this person", "follow-up of homework help")
BATCH_PURPOSE = purpose("these people", "attendance at homework help")
PERSONS_PURPOSE = purpose("these people", "planning the swimming group")
YEARS_PURPOSE = purpose("this person's membership years", "annual fee reminder")
MEMBERS_PURPOSE = purpose("this household's members", "follow-up of homework help")
REFERRAL_PURPOSE = purpose("this referral", "follow-up with the school")
REFERRALS_PURPOSE = purpose("these referrals", "weekly case review")
ROSTER_PURPOSE = purpose("this session's roster", "check-in")


@dataclass(frozen=True)
class Text(Param):
    """A string query parameter of at most max_length characters."""

    max_length: int = 1024

    def schema(self) -> dict:
        return {"type": "string", "maxLength": self.max_length}

    def parse(self, raw: str | None, errors: list[tuple[str, str]]) -> Any:
        value = super().parse(raw, errors)
        if len(value) > self.max_length:
            errors.append((self.name, f"must be at most {self.max_length} characters"))
            return ""
        return value


MAX_BATCH = 100


@dataclass(frozen=True)
class Names(Param):
    """A repeated query parameter of person names (organizations/{org}/persons/{id}) or bare ids."""

    repeated: ClassVar[bool] = True
    max_items: int = MAX_BATCH

    def schema(self) -> dict:
        return {"type": "array", "minItems": 1, "maxItems": self.max_items,
                "items": {"type": "string", "maxLength": MAX_RESOURCE}}

    def parse(self, raw: list[str] | None, errors: list[tuple[str, str]]) -> Any:
        values = [v.strip() for v in raw or []]
        if not [v for v in values if v]:
            errors.append((self.name, f"is required: 1 to {self.max_items} person names or ids, each as its own "
                                      f"{self.name}= parameter"))
            return []
        if len(values) > self.max_items:
            errors.append((self.name, f"at most {self.max_items}; split a longer list into several calls"))
            return []
        for i, v in enumerate(values):
            if not v or len(v) > MAX_RESOURCE:
                errors.append((f"{self.name}[{i}]", f"a person name or id of 1 to {MAX_RESOURCE} characters"))
        return values


SEARCH = (
    Text("query", "Optional: only people whose given or family name has words starting with each of these words, "
                  "case and accents aside (\"ami kh\" finds Amina Khan; \"oyv\" finds Øyvind). At most 100 "
                  "characters and 6 words. Never written to the audit log: a search is logged as person.search.",
         max_length=100),
    Text("chapter", "Optional: only people of this chapter (lokallag), e.g. linderud.", max_length=41),
    # Filters of groups, households, membership years and roles (all must hold; a page token keeps them).
    Text("group", "Optional: only members of this group, its id (e.g. mir-ung) or name.", max_length=200),
    Text("household", "Optional: only members of this household, its id or name.", max_length=200),
    Param("membership_year", "Optional: only people with a membership year recorded for this year.",
          kind="integer", maximum=9999),
    Param("paying", "Optional, with membership_year: only those whose year is paid or waived.", kind="boolean"),
    Param("role", "Optional: only people who hold this role on role_date.", kind="enum",
          enum=membership_pb2.Role.DESCRIPTOR),
    Param("role_date", "Optional, with role: the day, YYYY-MM-DD; today when absent.", kind="date"),
)
PERSON_UPDATE_MASK = Text(
    "update_mask", "The fields to correct, comma separated, e.g. phone,email: given_name, family_name, birth_year, "
                   "gender, preferred_languages, email, phone, postal_code, municipality, chapter. When absent, "
                   "the mask is every field the body holds (name, create_time and update_time aside), so a "
                   "field sent empty is cleared. '*' is refused.", max_length=300)

AUDIT_FILTERS = (
    Text("resource", "Only lines about this resource name, exactly, e.g. organizations/mir/persons/0f3c9a.",
         max_length=MAX_RESOURCE),
    Text("actor", "Only lines naming this person who acted, exactly, e.g. volunteer-mir.", max_length=MAX_ACTOR),
)
AUDITED_SERVICES = ("membership", "events", "referral", "reporting")
PERIOD = (
    Param("start_date", "First day of a calendar month, quarter or year, YYYY-MM-DD (e.g. 2026-01-01).",
          kind="date", required=True),
    Param("end_date", "Last day of the same month, quarter or year, YYYY-MM-DD (e.g. 2026-03-31); other "
          "periods are refused, so that periods a day apart cannot be subtracted.", kind="date", required=True),
)
PERIOD_ALIASES = {"period.start_date": "start_date", "period.end_date": "end_date", "period": "start_date"}
ACTION_EXCLUDE = frozenset({"name", "request_id"})
SESSION_DATES = (
    Param("start_date", "Only sessions on or after this day, YYYY-MM-DD (e.g. today's date).", kind="date"),
    Param("end_date", "Only sessions on or before this day, YYYY-MM-DD.", kind="date"),
)
UPDATE_MASK = Text(
    "update_mask", "The fields to change, comma separated (e.g. title,capacity). When left out, the fields "
    "present in the body are changed. Fields not named keep their values.", max_length=500)
# Fields the services set: not part of a mask derived from the body.
OUTPUT_ONLY = frozenset({"name", "create_time", "update_time", "state", "cancel_reason", "household"})


def update_mask_of(c: Call) -> field_mask_pb2.FieldMask:
    """The update_mask query parameter, or else the fields the body sent (AIP-134's implied mask)."""
    given = c.query["update_mask"]
    if given:
        paths = [p.strip() for p in given.split(",") if p.strip()]
    else:
        paths = [f for f in c.body_fields if f not in OUTPUT_ONLY]
    return field_mask_pb2.FieldMask(paths=paths)


def page_of(c: Call) -> dict:
    """The PAGE query parameters as the keyword arguments of a List request."""
    return {"page_size": c.query["page_size"], "page_token": c.query["page_token"]}


def period_of(c: Call) -> types_pb2.DateRange:
    """The PERIOD query parameters as the services' DateRange."""
    return types_pb2.DateRange(start_date=c.query["start_date"], end_date=c.query["end_date"])


def member_of(org: str) -> Callable[[Any], None]:
    """Who may use a node's API: people of the organisation it serves."""

    def authorize(principal) -> None:
        if not principal.belongs_to(org):
            theirs = ", ".join(sorted(principal.orgs)) or "no organisation"
            raise Problem(
                403, "WRONG_ORGANIZATION",
                f"This node serves organisation {org!r} only; your token is for {theirs}. "
                "Use your own organisation's node.")

    return authorize


def register(api: Api, channels: Mapping[str, grpc.Channel], org: str) -> None:
    membership = membership_pb2_grpc.MembershipServiceStub(channels["membership"])
    events = events_pb2_grpc.EventsServiceStub(channels["events"])
    referral = referral_pb2_grpc.ReferralServiceStub(channels["referral"])
    reporting = reporting_pb2_grpc.ReportingServiceStub(channels["reporting"])
    parent = f"organizations/{org}"
    timeout = api.timeout

    def person(c: Call) -> str:
        return f"{parent}/persons/{c.path['person_id']}"

    def activity(c: Call) -> str:
        return f"{parent}/activities/{c.path['activity_id']}"

    def session(c: Call) -> str:
        return f"{activity(c)}/sessions/{c.path['session_id']}"

    def household(c: Call) -> str:
        return f"{parent}/households/{c.path['household_id']}"

    def referral_name(c: Call) -> str:
        return f"{parent}/referrals/{c.path['referral_id']}"

    # ------------------------------------------------------------------ membership
    @api.route(Operation(
        "POST", f"{API_PREFIX}/persons", "registerPerson", "Register a person", "membership", "membership",
        membership_pb2.Person, status=201, body=Body(membership_pb2.Person, "person"), idempotent=True,
        location=True, not_found=False,
        description="Retrying with the same Idempotency-Key returns the first result.",
    ))
    def register_person(c: Call):
        return membership.RegisterPerson(
            membership_pb2.RegisterPersonRequest(parent=parent, person=c.body, request_id=c.request_id),
            timeout=timeout)

    @api.route(Operation(
        "GET", f"{API_PREFIX}/persons", "listPersons", "List people, newest first", "membership", "membership",
        membership_pb2.ListPersonsResponse, query=PAGE + SEARCH + (PERSONS_PURPOSE,), not_found=False,
        description="Every listing is written to the audit log with its purpose (a search as person.search, "
                    "without the query). Coordinators may list everyone; volunteers may only search, so their "
                    "listing needs query (403 QUERY_REQUIRED without). A page_token holds the query and chapter "
                    "it was issued for: pass the same ones with it.",
    ))
    def list_persons(c: Call):
        return membership.ListPersons(
            membership_pb2.ListPersonsRequest(parent=parent, **page_of(c), purpose=c.query["purpose"],
                                              query=c.query["query"], chapter=c.query["chapter"],
                                              group=c.query["group"], household=c.query["household"],
                                              membership_year=c.query["membership_year"], paying=c.query["paying"],
                                              role=c.query["role"], role_date=c.query["role_date"]),
            timeout=timeout)

    @api.route(Operation(
        "GET", f"{API_PREFIX}/persons:batchGet", "batchGetPersons", "Read up to 100 people in one call",
        "membership", "membership", membership_pb2.BatchGetPersonsResponse,
        query=(Names("names", f"1 to {MAX_BATCH} people, each as its own names= parameter: a name "
                              f"(organizations/{org}/persons/{{id}}) or an id."), BATCH_PURPOSE),
        description="The people in the order asked, e.g. a session's roster. If any is not found, the answer is "
                    "404 naming those missing (errors names[i]); a name of another organisation is 400 "
                    "WRONG_ORGANIZATION. Each person read is written to the audit log with the purpose. "
                    "Coordinators and volunteers.",
    ))
    def batch_get_persons(c: Call):
        names = [n if "/" in n else f"{parent}/persons/{n}" for n in c.query["names"]]
        return membership.BatchGetPersons(
            membership_pb2.BatchGetPersonsRequest(parent=parent, names=names, purpose=c.query["purpose"]),
            timeout=timeout)

    @api.route(Operation(
        "PATCH", f"{API_PREFIX}/persons/<id:person_id>", "updatePerson", "Correct a person's details",
        "membership", "membership", membership_pb2.Person, body=Body(membership_pb2.Person, "person"),
        query=(PERSON_UPDATE_MASK,), idempotent=True,
        description="Changes only the fields of update_mask (a query parameter, comma separated), or, without it, "
                    "the fields the body holds. Validated as a registration is. Written to the audit log with "
                    "which fields changed, never their values. Retrying with the same Idempotency-Key corrects "
                    "once. Coordinators only.",
    ))
    def update_person(c: Call):
        body = membership_pb2.Person()
        body.CopyFrom(c.body)
        body.name = person(c)
        return membership.UpdatePerson(
            membership_pb2.UpdatePersonRequest(person=body, update_mask=update_mask_of(c), request_id=c.request_id),
            timeout=timeout)

    @api.route(Operation(
        "GET", f"{API_PREFIX}/persons/<id:person_id>", "getPerson", "Read a person", "membership", "membership",
        membership_pb2.Person, query=(PERSON_PURPOSE,),
        description="Every read is written to the audit log with its purpose.",
    ))
    def get_person(c: Call):
        return membership.GetPerson(
            membership_pb2.GetPersonRequest(name=person(c), purpose=c.query["purpose"]), timeout=timeout)

    @api.route(Operation(
        "POST", f"{API_PREFIX}/persons/<id:person_id>/membership-years", "recordMembershipYear",
        "Record or correct a person's membership for one year", "membership", "membership",
        membership_pb2.MembershipYear, body=Body(membership_pb2.MembershipYear, "membership_year"),
        idempotent=True,
        description="Answers 200: recording a year that exists corrects it.",
    ))
    def record_membership_year(c: Call):
        return membership.RecordMembershipYear(
            membership_pb2.RecordMembershipYearRequest(parent=person(c), membership_year=c.body,
                                                       request_id=c.request_id), timeout=timeout)

    @api.route(Operation(
        "GET", f"{API_PREFIX}/persons/<id:person_id>/membership-years", "listMembershipYears",
        "List a person's membership years", "membership", "membership",
        membership_pb2.ListMembershipYearsResponse, query=PAGE + (YEARS_PURPOSE,),
        description="Every listing is written to the audit log with its purpose.",
    ))
    def list_membership_years(c: Call):
        return membership.ListMembershipYears(
            membership_pb2.ListMembershipYearsRequest(parent=person(c), **page_of(c), purpose=c.query["purpose"]),
            timeout=timeout)

    @api.route(Operation(
        "POST", f"{API_PREFIX}/households", "createHousehold", "Create a household", "membership", "membership",
        membership_pb2.Household, status=201, body=Body(membership_pb2.Household, "household", required=False),
        idempotent=True, location=True, not_found=False,
        description="An empty household (display_name optional, e.g. \"Familien Hussain\"); add its members "
                    "with POST /api/v1/households/{household_id}/members. Retrying with the same "
                    "Idempotency-Key returns the first result. Coordinators only.",
    ))
    def create_household(c: Call):
        return membership.CreateHousehold(
            membership_pb2.CreateHouseholdRequest(parent=parent, household=c.body, request_id=c.request_id),
            timeout=timeout)

    @api.route(Operation(
        "GET", f"{API_PREFIX}/households/<id:household_id>", "getHousehold", "Read a household", "membership",
        "membership", membership_pb2.Household,
        description="Its display name, not its members (list them with .../members). Coordinators only.",
    ))
    def get_household(c: Call):
        return membership.GetHousehold(membership_pb2.GetHouseholdRequest(name=household(c)), timeout=timeout)

    @api.route(Operation(
        "POST", f"{API_PREFIX}/households/<id:household_id>/members", "addHouseholdMember",
        "Add a person to a household", "membership", "membership", membership_pb2.HouseholdMember,
        body=Body(membership_pb2.AddHouseholdMemberRequest, exclude=frozenset({"household", "request_id"})),
        idempotent=True,
        description="person (organizations/{org}/persons/{id} or an id) and role (HOUSEHOLD_ROLE_...). A person "
                    "is in at most one household: one already in another is refused with 409 "
                    "ALREADY_IN_HOUSEHOLD naming it (remove them there first). Adding a member again changes "
                    "their role. Coordinators only.",
    ))
    def add_household_member(c: Call):
        who = c.body.person.strip()
        return membership.AddHouseholdMember(
            membership_pb2.AddHouseholdMemberRequest(
                household=household(c), person=who if "/" in who or not who else f"{parent}/persons/{who}",
                role=c.body.role, request_id=c.request_id), timeout=timeout)

    @api.route(Operation(
        "DELETE", f"{API_PREFIX}/households/<id:household_id>/members/<id:person_id>", "removeHouseholdMember",
        "Take a person out of a household", "membership", "membership", membership_pb2.HouseholdMember,
        idempotent=True,
        description="Answers the member as they were. Coordinators only.",
    ))
    def remove_household_member(c: Call):
        return membership.RemoveHouseholdMember(
            membership_pb2.RemoveHouseholdMemberRequest(name=f"{household(c)}/members/{c.path['person_id']}",
                                                        request_id=c.request_id), timeout=timeout)

    @api.route(Operation(
        "GET", f"{API_PREFIX}/households/<id:household_id>/members", "listHouseholdMembers",
        "List a household's members", "membership", "membership", membership_pb2.ListHouseholdMembersResponse,
        query=PAGE + (MEMBERS_PURPOSE,),
        description="In the order they were added; each member names its person. Every listing is written to "
                    "the audit log with its purpose. Coordinators only.",
    ))
    def list_household_members(c: Call):
        return membership.ListHouseholdMembers(
            membership_pb2.ListHouseholdMembersRequest(parent=household(c), **page_of(c), purpose=c.query["purpose"]),
            timeout=timeout)

    rest_imports.register(api, membership, parent, timeout)
    from gateway.rest_groups import register_groups  # routes of groups and roles (a module of their own)
    register_groups(api, membership, parent, timeout)

    # ------------------------------------------------------------------ events
    @api.route(Operation(
        "POST", f"{API_PREFIX}/activities", "createActivity", "Create an activity", "events", "events",
        events_pb2.Activity, status=201, body=Body(events_pb2.Activity, "activity"), idempotent=True,
        location=True, not_found=False,
    ))
    def create_activity(c: Call):
        return events.CreateActivity(
            events_pb2.CreateActivityRequest(parent=parent, activity=c.body, request_id=c.request_id),
            timeout=timeout)

    @api.route(Operation(
        "GET", f"{API_PREFIX}/activities", "listActivities", "List activities", "events", "events",
        events_pb2.ListActivitiesResponse, query=PAGE, not_found=False,
    ))
    def list_activities(c: Call):
        return events.ListActivities(
            events_pb2.ListActivitiesRequest(parent=parent, **page_of(c)), timeout=timeout)

    @api.route(Operation(
        "GET", f"{API_PREFIX}/activities/<id:activity_id>", "getActivity", "Read an activity", "events", "events",
        events_pb2.Activity,
    ))
    def get_activity(c: Call):
        return events.GetActivity(events_pb2.GetActivityRequest(name=activity(c)), timeout=timeout)

    @api.route(Operation(
        "POST", f"{API_PREFIX}/activities/<id:activity_id>/sessions", "createSession",
        "Add a session to an activity", "events", "events",
        events_pb2.Session, status=201, body=Body(events_pb2.Session, "session"), idempotent=True,
    ))
    def create_session(c: Call):
        return events.CreateSession(
            events_pb2.CreateSessionRequest(parent=activity(c), session=c.body, request_id=c.request_id),
            timeout=timeout)

    @api.route(Operation(
        "GET", f"{API_PREFIX}/activities/<id:activity_id>/sessions", "listSessions", "List an activity's sessions",
        "events", "events", events_pb2.ListSessionsResponse, query=PAGE,
    ))
    def list_sessions(c: Call):
        return events.ListSessions(
            events_pb2.ListSessionsRequest(parent=activity(c), **page_of(c)), timeout=timeout)

    @api.route(Operation(
        "POST", f"{API_PREFIX}/activities/<id:activity_id>/sessions/<id:session_id>/attendances",
        "recordAttendance", "Record attendance at a session", "events", "events",
        events_pb2.Attendance, status=201, body=Body(events_pb2.Attendance, "attendance"), idempotent=True,
        description="Either a named participant (person: organizations/{org}/persons/{id}) or an anonymous "
                    "head count by gender and age band (head_count), never both.",
    ))
    def record_attendance(c: Call):
        return events.RecordAttendance(
            events_pb2.RecordAttendanceRequest(parent=session(c), attendance=c.body, request_id=c.request_id),
            timeout=timeout)

    @api.route(Operation(
        "PATCH", f"{API_PREFIX}/activities/<id:activity_id>", "updateActivity", "Correct an activity", "events",
        "events", events_pb2.Activity, body=Body(events_pb2.Activity, "activity"), query=(UPDATE_MASK,),
        idempotent=True,
        description="Coordinators only. Changes title, description, theme, subgoal, target_group, funder, chapter "
                    "and capacity: those named by update_mask, or when it is left out those present in the body. "
                    "anonymous_attendance cannot be changed. A corrected sub-goal moves every session of the "
                    "activity to it in the statistics.",
    ))
    def update_activity(c: Call):
        body = events_pb2.Activity()
        body.CopyFrom(c.body)
        body.name = activity(c)
        return events.UpdateActivity(
            events_pb2.UpdateActivityRequest(activity=body, update_mask=update_mask_of(c), request_id=c.request_id),
            timeout=timeout)

    @api.route(Operation(
        "GET", f"{API_PREFIX}/sessions", "listAllSessions", "List every activity's sessions by date", "events",
        "events", events_pb2.ListSessionsResponse, query=SESSION_DATES + PAGE, not_found=False,
        description="The sessions of every activity, ordered by date and start time, within start_date and "
                    "end_date (both inclusive, both optional): e.g. today's and upcoming sessions with "
                    "start_date set to today. Cancelled sessions are listed with state SESSION_STATE_CANCELLED.",
    ))
    def list_all_sessions(c: Call):
        return events.ListSessions(
            events_pb2.ListSessionsRequest(parent=f"{parent}/activities/-", start_date=c.query["start_date"],
                                           end_date=c.query["end_date"], **page_of(c)), timeout=timeout)

    @api.route(Operation(
        "GET", f"{API_PREFIX}/activities/<id:activity_id>/sessions/<id:session_id>", "getSession", "Read a session",
        "events", "events", events_pb2.Session,
    ))
    def get_session(c: Call):
        return events.GetSession(events_pb2.GetSessionRequest(name=session(c)), timeout=timeout)

    @api.route(Operation(
        "PATCH", f"{API_PREFIX}/activities/<id:activity_id>/sessions/<id:session_id>", "updateSession",
        "Move or correct a session", "events", "events", events_pb2.Session,
        body=Body(events_pb2.Session, "session"), query=(UPDATE_MASK,), idempotent=True,
        description="Coordinators only. Changes date, start_time, duration_minutes and location: those named by "
                    "update_mask, or when it is left out those present in the body. A cancelled session cannot "
                    "be changed; a session with attendance keeps its year. Its attendances move with it in the "
                    "statistics.",
    ))
    def update_session(c: Call):
        body = events_pb2.Session()
        body.CopyFrom(c.body)
        body.name = session(c)
        return events.UpdateSession(
            events_pb2.UpdateSessionRequest(session=body, update_mask=update_mask_of(c), request_id=c.request_id),
            timeout=timeout)

    @api.route(Operation(
        "POST", f"{API_PREFIX}/activities/<id:activity_id>/sessions/<id:session_id>:cancel", "cancelSession",
        "Cancel a session", "events", "events", events_pb2.Session, idempotent=True,
        body=Body(events_pb2.CancelSessionRequest, exclude=ACTION_EXCLUDE),
        description="Coordinators only. reason is required (e.g. \"pool closed\"). A session with attendance "
                    "recorded is refused (409, reason ATTENDANCE_RECORDED): withdraw the attendance first. A "
                    "cancelled session takes no attendance and is not counted in the statistics; cancelling it "
                    "again changes nothing.",
    ))
    def cancel_session(c: Call):
        return events.CancelSession(
            events_pb2.CancelSessionRequest(name=session(c), reason=c.body.reason, request_id=c.request_id),
            timeout=timeout)

    @api.route(Operation(
        "GET", f"{API_PREFIX}/activities/<id:activity_id>/sessions/<id:session_id>/attendances", "listAttendances",
        "A session's roster", "events", "events", events_pb2.ListAttendancesResponse,
        query=PAGE + (Param("show_withdrawn", "Also list withdrawn attendances.", kind="boolean"), ROSTER_PURPOSE),
        description="Named participants (person: their resource name; their names come from membership) and "
                    "head-count entries, in the order they were recorded. Every listing is written to the events "
                    "service's audit log with its purpose.",
    ))
    def list_attendances(c: Call):
        return events.ListAttendances(
            events_pb2.ListAttendancesRequest(parent=session(c), **page_of(c), purpose=c.query["purpose"],
                                              show_withdrawn=c.query["show_withdrawn"]), timeout=timeout)

    @api.route(Operation(
        "DELETE", f"{API_PREFIX}/activities/<id:activity_id>/sessions/<id:session_id>/attendances/"
                  "<id:attendance_id>", "withdrawAttendance", "Withdraw an attendance (undo a wrong tap)", "events",
        "events", events_pb2.Attendance, idempotent=True,
        description="The attendance is kept for the record with state ATTENDANCE_STATE_WITHDRAWN and no longer "
                    "counts; the answer is the withdrawn attendance. Withdrawing it again returns it unchanged. A "
                    "person withdrawn by mistake can be recorded again.",
    ))
    def withdraw_attendance(c: Call):
        return events.WithdrawAttendance(
            events_pb2.WithdrawAttendanceRequest(name=f"{session(c)}/attendances/{c.path['attendance_id']}",
                                                 request_id=c.request_id), timeout=timeout)

    @api.route(Operation(
        "POST", f"{API_PREFIX}/activities/<id:activity_id>/sessions/<id:session_id>:decrementHeadCount",
        "decrementHeadCount", "One person fewer in a head count", "events", "events", events_pb2.SessionSummary,
        idempotent=True, body=Body(events_pb2.DecrementHeadCountRequest, exclude=frozenset({"session", "request_id"})),
        description="The \"-\" of a head-count cell (gender and age_band): one person is taken off the "
                    "session's head count of that cell, never below 0 (409, reason HEAD_COUNT_ZERO). Answers the "
                    "session's new totals. Send a new Idempotency-Key per tap.",
    ))
    def decrement_head_count(c: Call):
        return events.DecrementHeadCount(
            events_pb2.DecrementHeadCountRequest(session=session(c), gender=c.body.gender, age_band=c.body.age_band,
                                                 request_id=c.request_id), timeout=timeout)

    @api.route(Operation(
        "GET", f"{API_PREFIX}/activities/<id:activity_id>/sessions/<id:session_id>/summary", "getSessionSummary",
        "A session's totals", "events", "events", events_pb2.SessionSummary,
        description="Named participants and head counts added up per gender and age band, withdrawn ones aside: "
                    "what a check-in page shows, without reading the roster.",
    ))
    def get_session_summary(c: Call):
        return events.GetSessionSummary(events_pb2.GetSessionSummaryRequest(name=f"{session(c)}/summary"),
                                        timeout=timeout)

    # ------------------------------------------------------------------ referral
    @api.route(Operation(
        "POST", f"{API_PREFIX}/referrals", "createReferral", "Make a referral", "referral", "referral",
        referral_pb2.Referral, status=201, body=Body(referral_pb2.Referral, "referral"), idempotent=True,
        location=True, not_found=False,
        description="A referral to another federation node (partner_kind PARTNER_KIND_FEDERATION_NODE) needs "
                    "consent_given true and travels with shared_contact only.",
    ))
    def create_referral(c: Call):
        return referral.CreateReferral(
            referral_pb2.CreateReferralRequest(parent=parent, referral=c.body, request_id=c.request_id),
            timeout=timeout)

    @api.route(Operation(
        "GET", f"{API_PREFIX}/referrals", "listReferrals", "List referrals", "referral", "referral",
        referral_pb2.ListReferralsResponse, not_found=False,
        query=PAGE + (Param("state", "Only referrals in this state.", kind="enum",
                            enum=referral_pb2.ReferralState.DESCRIPTOR),
                      Param("direction", "Only the referrals received (DIRECTION_INCOMING) or made here "
                                         "(DIRECTION_OUTGOING).", kind="enum",
                            enum=referral_pb2.Direction.DESCRIPTOR), REFERRALS_PURPOSE),
        description="Every listing is written to the audit log with its purpose.",
    ))
    def list_referrals(c: Call):
        return referral.ListReferrals(
            referral_pb2.ListReferralsRequest(parent=parent, **page_of(c), state=c.query["state"],
                                              direction=c.query["direction"], purpose=c.query["purpose"]),
            timeout=timeout)

    @api.route(Operation(
        "GET", f"{API_PREFIX}/referrals/<id:referral_id>", "getReferral", "Read a referral", "referral", "referral",
        referral_pb2.Referral, query=(REFERRAL_PURPOSE,),
        description="Every read is written to the audit log with its purpose.",
    ))
    def get_referral(c: Call):
        return referral.GetReferral(
            referral_pb2.GetReferralRequest(name=referral_name(c), purpose=c.query["purpose"]), timeout=timeout)

    @api.route(Operation(
        "POST", f"{API_PREFIX}/referrals/<id:referral_id>:accept", "acceptReferral", "Accept a referral",
        "referral", "referral", referral_pb2.Referral, idempotent=True,
        body=Body(referral_pb2.AcceptReferralRequest, exclude=ACTION_EXCLUDE, required=False),
    ))
    def accept_referral(c: Call):
        req = referral_pb2.AcceptReferralRequest()
        req.CopyFrom(c.body)
        req.name, req.request_id = referral_name(c), c.request_id
        return referral.AcceptReferral(req, timeout=timeout)

    @api.route(Operation(
        "POST", f"{API_PREFIX}/referrals/<id:referral_id>:reject", "rejectReferral", "Reject a referral",
        "referral", "referral", referral_pb2.Referral, idempotent=True,
        body=Body(referral_pb2.RejectReferralRequest, exclude=ACTION_EXCLUDE),
        description="declined_by is provider or person; outcome is a category, never free text about the person.",
    ))
    def reject_referral(c: Call):
        req = referral_pb2.RejectReferralRequest()
        req.CopyFrom(c.body)
        req.name, req.request_id = referral_name(c), c.request_id
        return referral.RejectReferral(req, timeout=timeout)

    @api.route(Operation(
        "POST", f"{API_PREFIX}/referrals/<id:referral_id>:complete", "completeReferral", "Complete a referral",
        "referral", "referral", referral_pb2.Referral, idempotent=True,
        body=Body(referral_pb2.CompleteReferralRequest, exclude=ACTION_EXCLUDE, required=False),
        description="The outcome is reported back to the sender of a cross-node referral.",
    ))
    def complete_referral(c: Call):
        req = referral_pb2.CompleteReferralRequest()
        req.CopyFrom(c.body)
        req.name, req.request_id = referral_name(c), c.request_id
        return referral.CompleteReferral(req, timeout=timeout)

    # ------------------------------------------------------------------ reporting
    @api.route(Operation(
        "GET", f"{API_PREFIX}/statistics", "getStatistics", "This organisation's figures for a period",
        "reporting", "reporting", reporting_pb2.Statistics, query=PERIOD, field_aliases=PERIOD_ALIASES,
        not_found=False,
        description="Aggregates under this node's disclosure control. A cell is {\"value\": 12}, or "
                    "{\"value\": null, \"suppressed\": \"primary\"|\"secondary\"} when it is hidden; a hidden "
                    "figure is not 0.",
    ))
    def get_statistics(c: Call):
        return reporting.GetStatistics(
            reporting_pb2.GetStatisticsRequest(organization=parent, period=period_of(c)), timeout=timeout)

    # ------------------------------------------------------------------ volunteer hours (gateway/rest_hours.py)
    register_volunteer_hours(api, events, parent, timeout, page=PAGE, purpose=purpose, update_mask=UPDATE_MASK,
                             update_mask_of=update_mask_of, page_of=page_of)
    # ------------------------------------------------------------------ recurring sessions (gateway/rest_recurrence.py)
    from gateway.rest_recurrence import register_recurrence

    register_recurrence(api, channels["events"], parent, timeout, page=PAGE, page_of=page_of)
    # ------------------------------------------------------------------ renewal and counted members
    from gateway.rest_renewal import register_renewal

    register_renewal(api, membership, parent, timeout)

    # ------------------------------------------------------------------ audit logs
    stubs = {"membership": (membership, membership_pb2), "events": (events, events_pb2),
             "referral": (referral, referral_pb2), "reporting": (reporting, reporting_pb2)}
    for service in AUDITED_SERVICES:
        register_audit_log(api, service, *stubs[service], parent, timeout)


def register_audit_log(api: Api, service: str, stub: Any, module: Any, parent: str, timeout: float) -> None:
    """GET /api/v1/audit/{service}: one service's audit log, for the node's coordinators."""

    @api.route(Operation(
        "GET", f"{API_PREFIX}/audit/{service}", f"list{service.capitalize()}AuditEntries",
        f"The {service} service's audit log, newest first", "audit", service, module.ListAuditEntriesResponse,
        query=PAGE + AUDIT_FILTERS, not_found=False,
        description=f"Who read or changed what in the {service} service, when and why; for the node's "
                    "coordinators only. actor names the person who acted, also when a service of the node "
                    "acted on a user's behalf (then client reads '<service account> on behalf of <user>'). "
                    "Reading the log is itself written to it (action audit.list).",
    ))
    def list_audit_entries(c: Call):
        return stub.ListAuditEntries(
            module.ListAuditEntriesRequest(parent=parent, **page_of(c), resource=c.query["resource"],
                                           actor=c.query["actor"]), timeout=timeout)
