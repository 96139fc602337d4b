"""Node mode: a person's consents per purpose over the membership process's ConsentService.

/api/v1/persons/{person_id}/consents[...]; the consent's name is
organizations/{org}/persons/{person_id}/consents/{consent_id}.
"""
from __future__ import annotations

from typing import Mapping

import grpc

from brobygger.membership.v1 import consent_pb2, consent_pb2_grpc
from gateway.api import API_PREFIX, Api, Body, Call, Operation, Param
from gateway.rest import BATCH_PURPOSE, PAGE, Names, page_of, purpose

CONSENTS = f"{API_PREFIX}/persons/<id:person_id>/consents"
_PURPOSE_ENUM = consent_pb2.DESCRIPTOR.enum_types_by_name["ConsentPurpose"]


def register(api: Api, channels: Mapping[str, grpc.Channel], org: str) -> None:
    consents = consent_pb2_grpc.ConsentServiceStub(channels["membership"])
    parent = f"organizations/{org}"
    timeout = api.timeout
    list_purpose = purpose("this person's consents", "consent review")
    check_purpose = purpose("whether the person consents", "referral to mira")
    consent_purpose = Param("consent_purpose", "Required: the purpose asked about, e.g. CONSENT_PURPOSE_PHOTOS.",
                            kind="enum", required=True, enum=_PURPOSE_ENUM)

    def person(c: Call) -> str:
        return f"{parent}/persons/{c.path['person_id']}"

    @api.route(Operation(
        "POST", CONSENTS, "recordConsent", "Record a consent the person (or a guardian) gave", "membership",
        "membership", consent_pb2.Consent, status=201, body=Body(consent_pb2.Consent, "consent"), idempotent=True,
        description="purpose, text_version (e.g. samtykke-2026-01), source (CONSENT_SOURCE_PAPER_FORM, _WEB or "
                    "_VERBAL), given_by (CONSENT_GIVER_PERSON or CONSENT_GIVER_GUARDIAN with guardian, a person of "
                    "this node, or guardian_name), given_date (today when absent). recorded_by is the user who "
                    "calls. A person under the organisation's age of consent needs a guardian's (409 "
                    "GUARDIAN_CONSENT_REQUIRED); a purpose with a consent in force is refused (409 "
                    "CONSENT_ALREADY_IN_FORCE: withdraw it first). Retrying with the same Idempotency-Key returns "
                    "the first result. Coordinators only.",
    ))
    def record_consent(c: Call):
        body = consent_pb2.Consent()
        body.CopyFrom(c.body)
        who = body.guardian.strip()
        if who and "/" not in who:
            body.guardian = f"{parent}/persons/{who}"
        return consents.RecordConsent(consent_pb2.RecordConsentRequest(parent=person(c), consent=body,
                                                                       request_id=c.request_id), timeout=timeout)

    @api.route(Operation(
        "POST", f"{CONSENTS}/<id:consent_id>:withdraw", "withdrawConsent", "Withdraw a consent", "membership",
        "membership", consent_pb2.Consent,
        body=Body(consent_pb2.WithdrawConsentRequest, exclude=frozenset({"name", "request_id"})), idempotent=True,
        description="source (how the withdrawal reached the organisation) and withdraw_date (today when absent). "
                    "A withdrawn consent stays withdrawn (409 CONSENT_ALREADY_WITHDRAWN); record a new one when it "
                    "is given again. Coordinators only.",
    ))
    def withdraw_consent(c: Call):
        return consents.WithdrawConsent(consent_pb2.WithdrawConsentRequest(
            name=f"{person(c)}/consents/{c.path['consent_id']}", withdraw_date=c.body.withdraw_date,
            source=c.body.source, request_id=c.request_id), timeout=timeout)

    @api.route(Operation(
        "GET", CONSENTS, "listConsents", "List a person's consents, newest first", "membership", "membership",
        consent_pb2.ListConsentsResponse, query=PAGE + (list_purpose,),
        description="Every purpose, withdrawn ones too (their history). Every listing is written to the audit log "
                    "with its purpose. Coordinators only.",
    ))
    def list_consents(c: Call):
        return consents.ListConsents(consent_pb2.ListConsentsRequest(
            parent=person(c), **page_of(c), purpose=c.query["purpose"]), timeout=timeout)

    @api.route(Operation(
        "GET", f"{CONSENTS}:check", "checkConsent", "Whether the person consents to one purpose now", "membership",
        "membership", consent_pb2.ConsentCheck, query=(consent_purpose, check_purpose),
        description="in_force is true only while a consent for the purpose is given and not withdrawn. Audited "
                    "with the purpose. Coordinators.",
    ))
    def check_consent(c: Call):
        return consents.CheckConsent(consent_pb2.CheckConsentRequest(
            name=person(c), consent_purpose=c.query["consent_purpose"], purpose=c.query["purpose"]), timeout=timeout)

    @api.route(Operation(
        "GET", f"{API_PREFIX}/consents:batchCheck", "batchCheckConsents",
        "Whether each of up to 100 people consents to one purpose now", "membership", "membership",
        consent_pb2.BatchCheckConsentsResponse,
        query=(Names("names", "1 to 100 people, each as its own names= parameter: a name or an id."),
               consent_purpose, BATCH_PURPOSE),
        description="In the order asked, e.g. who at a session may be photographed (CONSENT_PURPOSE_PHOTOS). Each "
                    "person asked is written to the audit log with the purpose. Coordinators and volunteers.",
    ))
    def batch_check(c: Call):
        names = [n if "/" in n else f"{parent}/persons/{n}" for n in c.query["names"]]
        return consents.BatchCheckConsents(consent_pb2.BatchCheckConsentsRequest(
            parent=parent, names=names, consent_purpose=c.query["consent_purpose"], purpose=c.query["purpose"]),
            timeout=timeout)
