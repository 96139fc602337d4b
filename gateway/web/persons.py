"""People (coordinators): the list, registering a person, a person's page with their membership years and
household, and a household's page (its members, adding and removing them).

Every page that shows a person reads them with the purpose in force (gateway.web.purpose), so the
membership service's audit log says who looked and why. Names appear in pages, never in URLs or titles.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from brobygger.membership.v1 import membership_pb2, membership_pb2_grpc
from brobygger.type.v1 import types_pb2
from gateway.web import consents, labels, person_search
from gateway.web.purpose import current_purpose, need_purpose
from gateway.web.ui import ServiceRefusal, area, call, channel, correct, form_request_id, nav_item, request_id

if TYPE_CHECKING:
    from gateway.app import Gateway

ROLES = ("coordinator",)
PAGE_SIZE = 50
PERSON_FIELDS = ("given_name", "family_name", "birth_year", "gender", "preferred_languages", "email", "phone",
                 "postal_code", "municipality", "chapter")

nav_item("persons.index", _l("People"), _l("Find, register and correct members and their membership years"), ROLES)

# After the menu entry of People, so that Groups (whose module adds its own) comes after it in the menu.
from gateway.web import groups as person_groups  # noqa: E402


def person_id(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def whole_number(form, name: str, errors: dict[str, str], example: str) -> int:
    raw = form.get(name, "").strip()
    if not raw:
        return 0
    if not re.fullmatch(r"[0-9]{1,9}", raw):
        errors[name] = _("Write a whole number, for example %(example)s.", example=example)
        return 0
    return int(raw)


def person_from_form(form, errors: dict[str, str]) -> membership_pb2.Person:
    return membership_pb2.Person(
        given_name=form.get("given_name", "").strip(),
        family_name=form.get("family_name", "").strip(),
        birth_year=whole_number(form, "birth_year", errors, "1984"),
        gender=labels.number_of(types_pb2.Gender.DESCRIPTOR, form.get("gender", "")),
        preferred_languages=[t for t in re.split(r"[\s,;]+", form.get("preferred_languages", "")) if t],
        email=form.get("email", "").strip(),
        phone=form.get("phone", "").strip(),
        postal_code=form.get("postal_code", "").strip(),
        municipality=form.get("municipality", "").strip(),
        chapter=form.get("chapter", "").strip(),
    )


def form_of(person: membership_pb2.Person) -> dict[str, str]:
    """A person as the values of the form's fields."""
    return {
        "given_name": person.given_name, "family_name": person.family_name,
        "birth_year": str(person.birth_year or ""),
        "gender": types_pb2.Gender.Name(person.gender) if person.gender else "",
        "preferred_languages": ", ".join(person.preferred_languages), "email": person.email, "phone": person.phone,
        "postal_code": person.postal_code, "municipality": person.municipality, "chapter": person.chapter,
    }


def local_refusal(errors: dict[str, str]) -> ServiceRefusal:
    return ServiceRefusal(400, "INVALID_ARGUMENT", _("Check the fields marked below."), errors)


def blueprint(gw: Gateway):
    bp = area("persons", gw, roles=ROLES)
    membership = membership_pb2_grpc.MembershipServiceStub(channel(gw, "membership"))
    consent_view = consents.ConsentView(gw)
    parent = f"organizations/{gw.settings.org}"

    def name_of(pid: str) -> str:
        return f"{parent}/persons/{pid}"

    def person_form(values: dict, refusal: ServiceRefusal | None, rid: str, status: int = 200):
        options = {
            "gender": labels.choices(labels.GENDER, types_pb2.Gender.DESCRIPTOR, blank=_("Choose")),
        }
        return render_template("persons/new.html", values=values, refusal=refusal, request_id=rid,
                               options=options), status

    @bp.route("/persons", methods=["GET", "POST"])
    def index():
        """The newest people first; a search (POST: the words are personal data, so never in the URL)."""
        if (ask := need_purpose()):
            return ask
        query = request.form.get("query", "").strip() if request.method == "POST" else ""
        # Filters (gateway.web.person_search): from the form, or from the next page's link.
        filters, fields, errors = person_search.read(request.form if request.method == "POST" else request.args)
        page, refusal = (None, local_refusal(errors)) if errors else call(
            membership.ListPersons, membership_pb2.ListPersonsRequest(
                parent=parent, page_size=PAGE_SIZE,
                page_token="" if query or request.method == "POST" else request.args.get("page_token", "")[:1024],
                purpose=current_purpose(), query=query, **fields), service="membership")
        return render_template("persons/index.html", persons=page.persons if page else [],
                               next_page="" if query or page is None else page.next_page_token, query=query,
                               refusal=refusal, person_id=person_id, filters=filters,
                               filtered=any(filters.values()), next_args=person_search.link_args(filters),
                               filter_options=person_search.options(membership, parent)), \
            refusal.status if refusal else 200

    @bp.route("/persons/new", methods=["GET", "POST"])
    def register():
        if request.method == "GET":
            return person_form({}, None, request_id())
        errors: dict[str, str] = {}
        person = person_from_form(request.form, errors)
        rid = form_request_id()
        if errors:
            return person_form(request.form, local_refusal(errors), rid, 400)
        created, refusal = call(membership.RegisterPerson, membership_pb2.RegisterPersonRequest(
            parent=parent, person=person, request_id=rid), service="membership")
        refusal = person_groups.chapter_refusal(refusal)
        if refusal is not None:
            return person_form(request.form, refusal, rid, refusal.status)
        flash(_("%(name)s is registered.", name=f"{created.given_name} {created.family_name}"), "success")
        return redirect(url_for("persons.detail", person_id=person_id(created.name)))

    def role_of(number: int) -> str:
        return labels.label(labels.HOUSEHOLD_ROLE, membership_pb2.HouseholdRole.DESCRIPTOR, number)

    def household_of(name: str) -> tuple[membership_pb2.Household, list[tuple]]:
        """The household and its members as (member, person), read with the purpose in force."""
        household, _r = call(membership.GetHousehold, membership_pb2.GetHouseholdRequest(name=name),
                             service="membership")
        listed, _r = call(membership.ListHouseholdMembers, membership_pb2.ListHouseholdMembersRequest(
            parent=name, page_size=100, purpose=current_purpose()), service="membership")
        members = list(listed.household_members)
        if not members:
            return household, []
        people, _r = call(membership.BatchGetPersons, membership_pb2.BatchGetPersonsRequest(
            parent=parent, names=[m.person for m in members], purpose=current_purpose()), service="membership")
        return household, list(zip(members, people.persons))

    def show(pid: str, refusal: ServiceRefusal | None = None, year_values: dict | None = None, status: int = 200,
             household_refusal: ServiceRefusal | None = None, household_values: dict | None = None, **groups_form):
        person, _r = call(membership.GetPerson, membership_pb2.GetPersonRequest(
            name=name_of(pid), purpose=current_purpose()), service="membership")
        household, members = household_of(person.household) if person.household else (None, [])
        years, _r = call(membership.ListMembershipYears, membership_pb2.ListMembershipYearsRequest(
            parent=name_of(pid), page_size=50, purpose=current_purpose()), service="membership")
        year_options = labels.choices(labels.PAYMENT_STATE, membership_pb2.PaymentState.DESCRIPTOR)
        values = year_values or {"year": str(dt.date.today().year), "payment_state": "PAYMENT_STATE_UNPAID"}
        return render_template(
            "persons/detail.html", person=person, pid=pid, years=years.membership_years if years else [],
            gender=labels.label(labels.GENDER, types_pb2.Gender.DESCRIPTOR, person.gender),
            payment=lambda n: labels.label(labels.PAYMENT_STATE, membership_pb2.PaymentState.DESCRIPTOR, n),
            year_options=year_options, values=values, refusal=refusal, request_id=request_id(),
            household=household, members=members, role_of=role_of, person_id=person_id,
            household_refusal=household_refusal, household_values=household_values or {},
            consent=consent_view.section(name_of(pid), [g for g in consents.guardians_of(members) if g[0] != pid]),
            **person_groups.person_sections(membership, parent, pid),  # groups and roles (gateway.web.groups)
            **{"group_refusal": None, "role_refusal": None, "role_values": {}, "end_refusal": None, "ending": "",
               **groups_form}), status

    @bp.route("/persons/<id:person_id>/edit", methods=["GET", "POST"])
    def edit(person_id: str):
        """Correct a person's record: only the fields that changed are sent (the update mask)."""
        if (ask := need_purpose()):
            return ask
        person, _r = call(membership.GetPerson, membership_pb2.GetPersonRequest(
            name=name_of(person_id), purpose=current_purpose()), service="membership")
        options = {"gender": labels.choices(labels.GENDER, types_pb2.Gender.DESCRIPTOR, blank=_("Choose"))}

        def form_page(values, refusal=None, status=200):
            return render_template("persons/edit.html", pid=person_id, values=values, refusal=refusal,
                                   options=options, request_id=request_id()), status

        if request.method == "GET":
            return form_page(form_of(person))
        errors: dict[str, str] = {}
        changed = person_from_form(request.form, errors)
        if errors:
            return form_page(request.form, local_refusal(errors), 400)
        changed.name = person.name
        saved, refusal = correct(membership.UpdatePerson, membership_pb2.UpdatePersonRequest, changed,
                                 form_of(person), form_of(changed), PERSON_FIELDS, service="membership")
        refusal = person_groups.chapter_refusal(refusal)
        if refusal is not None:
            return form_page(request.form, refusal, refusal.status)
        if not saved:
            flash(_("Nothing was changed."), "info")
            return redirect(url_for("persons.detail", person_id=person_id))
        flash(_("The correction is saved."), "success")
        return redirect(url_for("persons.detail", person_id=person_id))

    @bp.get("/persons/<id:person_id>")
    def detail(person_id: str):
        if (ask := need_purpose()):
            return ask
        return show(person_id)

    @bp.post("/persons/<id:person_id>/membership-years")
    def record_year(person_id: str) -> Response | tuple:
        if (ask := need_purpose()):
            return ask
        form = request.form
        errors: dict[str, str] = {}
        year = membership_pb2.MembershipYear(
            year=whole_number(form, "year", errors, str(dt.date.today().year)),
            fee_nok=whole_number(form, "fee_nok", errors, "200"),
            payment_state=labels.number_of(membership_pb2.PaymentState.DESCRIPTOR, form.get("payment_state", "")),
            paid_date=form.get("paid_date", "").strip())
        if errors:
            return show(person_id, local_refusal(errors), form, 400)
        _saved, refusal = call(membership.RecordMembershipYear, membership_pb2.RecordMembershipYearRequest(
            parent=name_of(person_id), membership_year=year,
            request_id=form.get("request_id", "")[:128] or request_id()), service="membership")
        if refusal is not None:
            return show(person_id, refusal, form, refusal.status)
        flash(_("The membership for %(year)s is saved.", year=year.year), "success")
        return redirect(url_for("persons.detail", person_id=person_id))

    @bp.post("/persons/<id:person_id>/household")
    def create_household(person_id: str) -> Response | tuple:
        """A new household with this person as its parent or guardian (one request id for both steps, so a
        double submit creates one household)."""
        if (ask := need_purpose()):
            return ask
        rid = form_request_id()
        household, refusal = call(membership.CreateHousehold, membership_pb2.CreateHouseholdRequest(
            parent=parent, household=membership_pb2.Household(display_name=request.form.get("display_name", "").strip()),
            request_id=rid), service="membership")
        if refusal is None:
            _member, refusal = call(membership.AddHouseholdMember, membership_pb2.AddHouseholdMemberRequest(
                household=household.name, person=name_of(person_id),
                role=membership_pb2.HOUSEHOLD_ROLE_PARENT_OR_GUARDIAN, request_id=rid), service="membership")
        if refusal is not None:
            return show(person_id, household_refusal=refusal, household_values=request.form, status=refusal.status)
        flash(_("The household is created. Add the other members on its page."), "success")
        return redirect(url_for("persons.household", household_id=household.name.rsplit("/", 1)[-1]))

    def household_page(household_id: str, refusal: ServiceRefusal | None = None, values: dict | None = None,
                       status: int = 200, other: str = ""):
        household, members = household_of(f"{parent}/households/{household_id}")
        options = labels.choices(labels.HOUSEHOLD_ROLE, membership_pb2.HouseholdRole.DESCRIPTOR, blank=_("Choose"))
        return render_template("persons/household.html", household=household, hid=household_id, members=members,
                               role_of=role_of, person_id=person_id, role_options=options, refusal=refusal,
                               values=values or {}, request_id=request_id(), other=other), status

    @bp.get("/households/<id:household_id>")
    def household(household_id: str):
        if (ask := need_purpose()):
            return ask
        return household_page(household_id)

    @bp.post("/households/<id:household_id>/members")
    def add_member(household_id: str) -> Response | tuple:
        """Add a person by their id (shown on their page) with a role."""
        if (ask := need_purpose()):
            return ask
        form = request.form
        who = form.get("person", "").strip()
        role = labels.number_of(membership_pb2.HouseholdRole.DESCRIPTOR, form.get("role", ""))
        errors: dict[str, str] = {}
        if not who:
            errors["person"] = _("Write the person's id in Brobygger: it is shown on their page.")
        if not role:
            errors["role"] = _("Choose the person's role in the household.")
        if errors:
            return household_page(household_id, local_refusal(errors), form, 400)
        _member, refusal = call(membership.AddHouseholdMember, membership_pb2.AddHouseholdMemberRequest(
            household=f"{parent}/households/{household_id}", person=who if "/" in who else name_of(who), role=role,
            request_id=form_request_id()), service="membership")
        if refusal is not None and refusal.reason == "ALREADY_IN_HOUSEHOLD":
            # The service names the other household in English; the page says it in the user's language and
            # links to that household, where the person can be removed.
            other, _r = call(membership.GetPerson, membership_pb2.GetPersonRequest(
                name=who if "/" in who else name_of(who), purpose=current_purpose()), service="membership")
            refusal = ServiceRefusal(refusal.status, refusal.reason, _(
                "%(name)s is already a member of another household. A person is in one household at most: "
                "remove them there first, then add them here.", name=f"{other.given_name} {other.family_name}"),
                {"person": _("Already a member of another household.")})
            return household_page(household_id, refusal, form, refusal.status,
                                  other=other.household.rsplit("/", 1)[-1] if other.household else "")
        if refusal is not None:
            return household_page(household_id, refusal, form, refusal.status)
        flash(_("The person is added to the household."), "success")
        return redirect(url_for("persons.household", household_id=household_id))

    @bp.post("/households/<id:household_id>/members/<id:person_id>/remove")
    def remove_member(household_id: str, person_id: str) -> Response | tuple:
        if (ask := need_purpose()):
            return ask
        _member, refusal = call(membership.RemoveHouseholdMember, membership_pb2.RemoveHouseholdMemberRequest(
            name=f"{parent}/households/{household_id}/members/{person_id}", request_id=form_request_id()),
            service="membership")
        if refusal is not None:
            return household_page(household_id, refusal, None, refusal.status)
        flash(_("The person is no longer a member of the household."), "success")
        return redirect(url_for("persons.household", household_id=household_id))

    person_groups.person_routes(bp, membership, parent, show)  # the person page's forms of groups and roles
    return bp
