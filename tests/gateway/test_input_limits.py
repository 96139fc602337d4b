"""Hostile REST input answered with 4xx problems naming what was wrong, never 500 and never accepted:
dates past the year 9999, integers of thousands of digits, and bodies past the size limit sent
chunked (Transfer-Encoding: chunked, no Content-Length) as well as with a Content-Length."""
from __future__ import annotations

import io
import json

import pytest

from gateway.app import EXTENSION, MAX_BODY_BYTES, create_app
from gateway.body_limits import IMPORT_MAX_BODY_BYTES
from services.common.settings import load
from tests.gateway.test_gateway_unit import (
    ANALYST_TOKEN, MEMBERSHIP, FakeChannel, FakeVerifier, auth, stored_person,
)

FIVE_MB = 5 * 1024 * 1024
INT32 = "must be between -2147483648 and 2147483647"
INT64 = "must be between -9223372036854775808 and 9223372036854775807"
TIMESTAMP = ("must be an RFC 3339 timestamp from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z, "
             "such as 2025-03-08T10:00:00Z")


@pytest.fixture
def channels():
    chans = {name: FakeChannel() for name in ("membership", "events", "referral", "reporting")}
    chans["membership"].on(MEMBERSHIP + "RegisterPerson", stored_person)
    return chans


@pytest.fixture
def app(channels):
    return create_app(load("gateway", {"BROBYGGER_ORG": "mir", "BROBYGGER_GATEWAY_MODE": "node"}),
                      verifier=FakeVerifier(), channels=channels)


@pytest.fixture
def node(app):
    return app.test_client()


def errors_of(resp) -> dict[str, str]:
    assert resp.status_code == 400, resp.get_data(as_text=True)[:500]
    assert resp.content_type == "application/problem+json"
    return {e["field"]: e["detail"] for e in resp.get_json()["errors"]}


def post_raw(node, path: str, text: str, **headers):
    return node.post(path, data=text.encode(), content_type="application/json", headers=auth(**headers))


# ---------------------------------------------------------------------- dates past 9999


@pytest.mark.parametrize("value", ["10000-01-01T00:00:00Z", "+10000-01-01T00:00:00Z", "99999999999-01-01T00:00:00Z",
                                   "9999-12-31T23:59:59-01:00", "0000-01-01T00:00:00Z", "0001-01-01T00:00:00+01:00"])
def test_a_timestamp_out_of_range_is_an_invalid_field(node, channels, value):
    body = {"given_name": "Amina", "gender": "GENDER_FEMALE", "create_time": value}
    assert errors_of(node.post("/api/v1/persons", json=body, headers=auth())) == {"person.create_time": TIMESTAMP}
    assert channels["membership"].calls == []


def test_the_last_timestamp_there_is_is_accepted(node):
    body = {"given_name": "Amina", "gender": "GENDER_FEMALE", "create_time": "9999-12-31T23:59:59.999999999Z"}
    assert node.post("/api/v1/persons", json=body, headers=auth()).status_code == 201


@pytest.mark.parametrize("start", ["10000-01-01", "+10000-01-01", "99999-01-01"])
def test_a_query_date_past_9999_is_an_invalid_parameter(node, channels, start):
    resp = node.get(f"/api/v1/statistics?start_date={start}&end_date=9999-12-31", headers=auth())
    assert list(errors_of(resp)) == ["start_date"]
    assert channels["reporting"].calls == []


def test_a_hub_query_date_past_9999_is_an_invalid_parameter():
    hub_channel = FakeChannel()
    hub = create_app(load("gateway", {"BROBYGGER_GATEWAY_MODE": "hub"}, needs_org=False), verifier=FakeVerifier(),
                     channels={"hub": hub_channel}).test_client()
    resp = hub.get("/api/v1/federation/statistics?start_date=9999-12-01&end_date=10000-01-01",
                   headers=auth(ANALYST_TOKEN))
    assert list(errors_of(resp)) == ["end_date"]
    assert hub_channel.calls == []


# ---------------------------------------------------------------------- integers of thousands of digits


@pytest.mark.parametrize("digits", [21, 4300, 4301, 5000, 100_000])
@pytest.mark.parametrize("sign", ["", "-"])
def test_an_integer_of_many_digits_is_an_invalid_field_naming_the_range(node, channels, digits, sign):
    text = f'{{"given_name": "Amina", "gender": "GENDER_FEMALE", "birth_year": {sign}{"9" * digits}}}'
    assert errors_of(post_raw(node, "/api/v1/persons", text)) == {"person.birth_year": INT32}
    assert channels["membership"].calls == []


def test_long_integers_anywhere_in_a_body_are_named_each_by_its_field(node, channels):
    huge = "7" * 5000
    year = f'{{"year": {huge}, "fee_nok": {huge}, "payment_state": "PAYMENT_STATE_PAID"}}'
    assert errors_of(post_raw(node, "/api/v1/persons/p1/membership-years", year)) == {
        "membership_year.year": INT32, "membership_year.fee_nok": INT64}
    attendance = f'{{"head_count": {{"gender": {huge}, "age_band": "AGE_BAND_13_19", "count": {huge}}}}}'
    errors = errors_of(post_raw(node, "/api/v1/activities/a1/sessions/s1/attendances", attendance))
    assert errors["attendance.head_count.count"] == INT32
    assert errors["attendance.head_count.gender"].startswith("must be one of GENDER_FEMALE")
    person = f'{{"given_name": {huge}, "gender": "GENDER_FEMALE", "preferred_languages": [{huge}]}}'
    assert errors_of(post_raw(node, "/api/v1/persons", person)) == {
        "person.given_name": "must be a string", "person.preferred_languages[0]": "must be a string"}
    assert all(not ch.calls for ch in channels.values())


def test_an_integer_in_range_is_still_a_number(node, channels):
    resp = post_raw(node, "/api/v1/persons", '{"given_name": "Amina", "gender": "GENDER_FEMALE", "birth_year": 1984}')
    assert resp.status_code == 201 and resp.get_json()["birth_year"] == 1984


# ---------------------------------------------------------------------- bodies past the limit


def post_routes(app) -> list[str]:
    """Every POST route of the node's API, with its path ids filled in."""
    ops = app.extensions[EXTENSION].api.operations
    return [op.rule.replace("<id:", "").replace(">", "").replace("person_id", "p1").replace("activity_id", "a1")
            .replace("session_id", "s1").replace("referral_id", "r1") for op in ops if op.method == "POST"]


def chunked(node, path: str, payload: bytes, headers: dict):
    """A request as a server hands a chunked one on: no Content-Length, the stream ended by the server."""
    return node.post(path, input_stream=io.BytesIO(payload), content_type="application/json",
                     headers={**headers, "Transfer-Encoding": "chunked"},
                     environ_overrides={"wsgi.input_terminated": True})


def assert_too_large(resp, path: str = "") -> None:
    assert resp.status_code == 413, resp.get_data(as_text=True)[:300]
    assert resp.content_type == "application/problem+json"
    problem = resp.get_json()
    assert problem["reason"] == "CONTENT_TOO_LARGE"
    if path == "/api/v1/person-imports":  # a spreadsheet upload: a larger limit (test_import_upload_size.py)
        assert problem["detail"].startswith(f"The request body is larger than {IMPORT_MAX_BODY_BYTES // 1024} KiB")
        return
    assert problem["detail"] == f"The request body is larger than {MAX_BODY_BYTES // 1024} KiB."


def test_a_chunked_5_mb_body_is_refused_on_every_post_route(app, node, channels):
    routes = post_routes(app)
    assert len(routes) >= 9
    big = b'{"given_name": "' + b"a" * FIVE_MB + b'"}'
    for path in routes:
        assert_too_large(chunked(node, path, big, auth(**{"Idempotency-Key": "k-1"})), path)
        assert_too_large(chunked(node, path, big, {}), path)  # whoever sends it
    assert all(not ch.calls for ch in channels.values())


def test_a_5_mb_body_with_its_length_is_refused_on_every_post_route(app, node, channels):
    for path in post_routes(app):
        assert_too_large(node.post(path, data=b" " * FIVE_MB, content_type="application/json", headers=auth()), path)
    assert all(not ch.calls for ch in channels.values())


def test_the_limit_is_exact_for_a_chunked_body(node, channels):
    body = json.dumps({"given_name": "Amina", "gender": "GENDER_FEMALE"}).encode()
    at_limit = body + b" " * (MAX_BODY_BYTES - len(body))  # JSON may end in white space
    assert chunked(node, "/api/v1/persons", at_limit, auth()).status_code == 201
    assert_too_large(chunked(node, "/api/v1/persons", at_limit + b" ", auth()))
    assert len(channels["membership"].calls) == 1
