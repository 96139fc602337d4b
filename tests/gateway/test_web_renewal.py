"""The renewal and counted-members pages on Flask's test client over fake channels."""
from __future__ import annotations

import datetime as dt

import grpc

from brobygger.membership.v1 import membership_pb2
from tests.gateway.test_web_persons import MEMBERSHIP, with_purpose
from tests.gateway.web_support import MIR_TOKEN, VOLUNTEER_TOKEN, login, rich_error

THIS = dt.date.today().year
P = "organizations/mir/persons/"


def plan(applied=False):
    return membership_pb2.Renewal(
        name="organizations/mir/renewals/r1" if applied else "", from_year=THIS - 1, to_year=THIS, applied=applied,
        renew_count=1, keep_count=1, lapse_count=1, entries=[
            membership_pb2.RenewalEntry(person=P + "p1", display_name="Amina Hussain",
                                        outcome=membership_pb2.RENEWAL_OUTCOME_RENEW,
                                        reason=membership_pb2.RENEWAL_REASON_PAID, to_fee_nok=200,
                                        from_payment_state=membership_pb2.PAYMENT_STATE_PAID,
                                        fee_source=membership_pb2.FEE_SOURCE_SCHEDULE),
            membership_pb2.RenewalEntry(person=P + "p2", display_name="Bilal Ahmed",
                                        outcome=membership_pb2.RENEWAL_OUTCOME_KEEP,
                                        reason=membership_pb2.RENEWAL_REASON_ALREADY_RECORDED, to_fee_nok=250,
                                        fee_source=membership_pb2.FEE_SOURCE_RECORDED),
            membership_pb2.RenewalEntry(person=P + "p3", display_name="Chen Zhou",
                                        outcome=membership_pb2.RENEWAL_OUTCOME_LAPSE,
                                        reason=membership_pb2.RENEWAL_REASON_UNPAID,
                                        from_payment_state=membership_pb2.PAYMENT_STATE_UNPAID)])


def calls(channels, rpc):
    return [c[1] for c in channels["membership"].calls if c[0].endswith("/" + rpc)]


def test_the_preview_lists_everyone_with_what_happens_and_why(web, channels):
    with_purpose(web)
    channels["membership"].on(MEMBERSHIP + "PreviewRenewal", lambda r: plan())
    page = web.get(f"/renewal?from_year={THIS - 1}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Forhåndsvisning" in text and "Amina Hussain" in text and "føres videre" in text
    assert "allerede fornyet" in text and "betalte ikke dette året" in text and "kontingentsatser" in text
    assert "Forny 1 medlemmer" in text and 'name="confirm"' in text
    [asked] = calls(channels, "PreviewRenewal")
    assert (asked.from_year, asked.purpose) == (THIS - 1, "oppfølging av en familie")
    assert "Amina" not in text.split("<title>")[1].split("</title>")[0]


def test_the_page_asks_for_a_purpose_first(web, channels):
    login(web, MIR_TOKEN)
    page = web.get("/renewal")
    assert page.status_code == 302 and page.headers["Location"].startswith("/purpose")


def test_a_wrong_year_is_named_next_to_the_field(web, channels):
    with_purpose(web)
    page = web.get("/renewal?from_year=20x6")
    assert page.status_code == 400 and "Skriv et årstall med fire sifre" in page.get_data(as_text=True)
    assert calls(channels, "PreviewRenewal") == []


def test_applying_needs_the_confirmation_then_renews_once(web, channels):
    token = with_purpose(web)
    channels["membership"].on(MEMBERSHIP + "PreviewRenewal", lambda r: plan())
    channels["membership"].on(MEMBERSHIP + "ApplyRenewal", lambda r: plan(applied=True))
    unconfirmed = web.post("/renewal", data={"from_year": str(THIS - 1), "request_id": "r-1", "csrf_token": token})
    assert unconfirmed.status_code == 400
    assert "Kryss av for å bekrefte" in unconfirmed.get_data(as_text=True)
    assert calls(channels, "ApplyRenewal") == []
    done = web.post("/renewal", data={"from_year": str(THIS - 1), "request_id": "r-1", "confirm": "1",
                                      "csrf_token": token})
    text = done.get_data(as_text=True)
    assert done.status_code == 200 and f"Fornyet fra {THIS - 1} til {THIS}" in text
    assert f"1 medlemmer føres videre til {THIS}; 1 gjør det ikke." in text
    assert 'name="confirm"' not in text
    [applied] = calls(channels, "ApplyRenewal")
    assert (applied.from_year, applied.request_id, applied.purpose) == (THIS - 1, "r-1", "oppfølging av en familie")


def test_a_form_without_csrf_is_refused(web, channels):
    with_purpose(web)
    assert web.post("/renewal", data={"from_year": str(THIS - 1), "confirm": "1"}).status_code == 400
    assert calls(channels, "ApplyRenewal") == []


def test_a_refusal_is_shown_in_the_page(web, channels):
    token = with_purpose(web)

    def refuse(request):
        raise rich_error(grpc.StatusCode.INVALID_ARGUMENT, "INVALID_FIELDS", "from_year must be ...",
                         [("from_year", "a year from 2000 to 2026")])

    channels["membership"].on(MEMBERSHIP + "ApplyRenewal", refuse)
    page = web.post("/renewal", data={"from_year": "1999", "confirm": "1", "csrf_token": token})
    assert page.status_code == 400 and 'id="e-from_year"' in page.get_data(as_text=True)


def test_volunteers_do_not_see_renewal(web, channels):
    login(web, VOLUNTEER_TOKEN)
    assert web.get("/renewal").status_code == 403


def explanation():
    return membership_pb2.ExplainCountedMembersResponse(rules_source="membership-rules.toml", explanations=[
        membership_pb2.CountedMembersExplanation(
            rule=membership_pb2.CountingRule(id="frifond", funder="Frifond", title="Under 26, paid at least 50 NOK",
                                             year_offset=-2, payment_states=[membership_pb2.PAYMENT_STATE_PAID],
                                             min_fee_nok=50, max_age=25),
            year=THIS, basis_year=THIS - 2, counted_count=143, not_counted_count=12,
            not_counted_by_reason=[
                membership_pb2.CountingReasonCount(reason=membership_pb2.COUNTING_REASON_UNPAID, count=9),
                membership_pb2.CountingReasonCount(reason=membership_pb2.COUNTING_REASON_WAIVED, count=3)],
            members=[membership_pb2.CountedMember(
                person=P + "p1", display_name="Amina Hussain", counts=False,
                reasons=[membership_pb2.COUNTING_REASON_WAIVED, membership_pb2.COUNTING_REASON_FEE_BELOW_MINIMUM],
                payment_state=membership_pb2.PAYMENT_STATE_WAIVED, age_in_year=19),
                membership_pb2.CountedMember(person=P + "p2", display_name="Bilal Ahmed", counts=True,
                                             payment_state=membership_pb2.PAYMENT_STATE_PAID, fee_nok=100)]),
        membership_pb2.CountedMembersExplanation(
            rule=membership_pb2.CountingRule(id="imdi", funder="IMDi", title="Paying members", threshold=20),
            year=THIS, basis_year=THIS, counted_count=18, meets_threshold=False)])


def test_counted_members_per_rule_with_reasons(web, channels):
    with_purpose(web)
    channels["membership"].on(MEMBERSHIP + "ExplainCountedMembers", lambda r: explanation())
    page = web.get(f"/counted-members?year={THIS}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"Teller for Frifond {THIS}: 143" in text and "teller ikke: 12" in text
    assert "ikke betalt (9), fritatt for kontingent (3)" in text
    assert "fritatt for kontingent, kontingent under minstebeløpet" in text
    assert "kontingent minst 50 kr" in text and "høyst 25 år i året" in text and f"medlemmer i {THIS - 2}" in text
    assert "under kravet på 20" in text
    [asked] = calls(channels, "ExplainCountedMembers")
    assert (asked.year, asked.purpose) == (THIS, "oppfølging av en familie")


def test_counted_members_in_english(web, channels):
    token = with_purpose(web)
    web.post("/language", data={"lang": "en", "next": "/", "csrf_token": token})
    channels["membership"].on(MEMBERSHIP + "ExplainCountedMembers", lambda r: explanation())
    text = web.get(f"/counted-members?year={THIS}").get_data(as_text=True)
    assert f"Counts for Frifond {THIS}: 143" in text and "unpaid (9), fee waived (3)" in text


# ---------------------------------------------------------------------------- counted members in the statistics


def with_counted(s):
    from brobygger.reporting.v1 import reporting_pb2 as r

    s.counted_members.extend([
        r.CountedMembersCell(rule_id="imdi", funder="IMDi", title="Betalende medlemmer", basis_year=2026,
                             threshold=20, count=r.Cell(value=25)),
        r.CountedMembersCell(rule_id="frifond", funder="Frifond", title="Under 26", basis_year=2024,
                             count=r.Cell(suppressed=r.SUPPRESSION_PRIMARY))])
    return s


def test_the_statistics_page_shows_counted_members_per_funder(web, channels):
    from tests.gateway.test_gateway_unit import REPORTING
    from tests.gateway.test_web_statistics import row, statistics

    channels["reporting"].on(REPORTING + "GetStatistics", lambda request: with_counted(statistics()))
    login(web, MIR_TOKEN)
    text = web.get("/statistics").get_data(as_text=True)
    assert "Tellende medlemmer per tilskuddsgiver" in text
    assert '<td class="num">25</td>' in row(text, "IMDi: Betalende medlemmer (medlemmer i 2026; minst 20 kreves)")
    assert "prikket" in row(text, "Frifond: Under 26 (medlemmer i 2024)")


def test_the_hubs_csv_has_the_counted_members(hub_web, hub_channel):
    import csv
    import io

    from brobygger.reporting.v1 import reporting_pb2 as r
    from tests.gateway.test_gateway_unit import FEDERATION
    from tests.gateway.test_web_dashboard import NODES, english
    from tests.gateway.test_web_statistics import statistics
    from tests.gateway.web_support import ANALYST_TOKEN

    hub_channel.on(FEDERATION + "QueryStatistics", lambda request: r.FederatedStatistics(
        period=request.period, nodes=[r.NodeResult(organization="mir", statistics=with_counted(statistics()))]))
    hub_channel.on(FEDERATION + "ListNodes", lambda request: NODES)
    login(hub_web, ANALYST_TOKEN)
    english(hub_web)
    hub_web.get("/figures?year=2026&part=m03")
    raw = hub_web.get("/figures.csv?year=2026&part=m03").get_data()
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    counted = [row for row in rows if row[6] == "Counted members"]
    assert [(row[7], row[8], row[9]) for row in counted] == [
        ("Frifond: Under 26 (members of 2024)", "", "suppressed"),
        ("IMDi: Betalende medlemmer (members of 2026; at least 20 needed)", "25", "")]
