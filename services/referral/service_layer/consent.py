"""The consent a referral to another node needs: the person's consent for referral sharing, in force at the
moment their contact is shared (when the referral is created, and again when it is handed over).

It is asked of the node's membership service, which holds consents, at that moment (not read from a copy
built from facts, which could lag behind a withdrawal). Any doubt fails closed: when membership cannot be
asked, or its answer is not a clear yes, nothing is shared.
"""
from __future__ import annotations

from typing import Protocol

from services.common.errors import FailedPrecondition, FieldViolation, Unavailable


class ConsentChecker(Protocol):
    """Membership's ConsentService.CheckConsent for referral sharing
    (services.referral.adapters.consent_client.GrpcConsentClient fits)."""

    def sharing_in_force(self, person: str, *, reason: str, on_behalf_of: str = "") -> bool:
        """Whether the person (organizations/{org}/persons/{id}) consents to referral sharing now.
        reason is written to membership's audit log. Raises Unavailable when membership cannot be asked
        or gives no clear answer."""


def sharing_consent_missing(person: str, field: str = "referral.person") -> FailedPrecondition:
    return FailedPrecondition(
        f"{person} has no consent in force for sharing their details in a referral "
        "(CONSENT_PURPOSE_REFERRAL_SHARING), so nothing is sent to another organisation. Record the person's "
        "consent on their page first (or refer them without sharing, to a partner outside the federation).",
        reason="REFERRAL_SHARING_CONSENT_MISSING",
        violations=[FieldViolation(field, "no consent for referral sharing in force")])


def consent_unavailable() -> Unavailable:
    return Unavailable(
        "The membership service could not be asked whether the person consents to referral sharing, so nothing "
        "was shared. Retry in a moment with the same request_id.",
        reason="CONSENT_CHECK_UNAVAILABLE",
    )
