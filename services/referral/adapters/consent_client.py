"""Membership's ConsentService as the referral service sees it: one question (is the person's consent for
referral sharing in force?), asked over gRPC with the node's service token and a deadline, naming the user
it is asked for so that membership's audit log names them. Every failure is Unavailable: the caller then
shares nothing (fails closed)."""
from __future__ import annotations

import logging
from typing import Callable

import grpc

from brobygger.membership.v1 import consent_pb2, consent_pb2_grpc
from services.common.audit import ON_BEHALF_OF_HEADER, encode_on_behalf_of
from services.common.auth import AuthError
from services.common.grpcclient import decode_error
from services.referral.service_layer.consent import consent_unavailable

log = logging.getLogger(__name__)

DEADLINE_SECONDS = 3.0


class GrpcConsentClient:
    def __init__(self, channel: grpc.Channel, timeout: float = DEADLINE_SECONDS, *,
                 on_unauthenticated: Callable[[], None] | None = None) -> None:
        self.channel = channel
        self.stub = consent_pb2_grpc.ConsentServiceStub(channel)
        self.timeout = timeout
        self.on_unauthenticated = on_unauthenticated

    def sharing_in_force(self, person: str, *, reason: str, on_behalf_of: str = "") -> bool:
        metadata = [(ON_BEHALF_OF_HEADER, encode_on_behalf_of(on_behalf_of))] if on_behalf_of else []
        request = consent_pb2.CheckConsentRequest(
            name=person, consent_purpose=consent_pb2.CONSENT_PURPOSE_REFERRAL_SHARING, purpose=reason)
        try:
            reply = self.stub.CheckConsent(request, timeout=self.timeout, metadata=metadata)
        except AuthError as exc:
            log.warning("no service token for asking membership about consent: %s", exc.message)
            raise consent_unavailable() from None
        except grpc.RpcError as exc:
            if exc.code() == grpc.StatusCode.UNAUTHENTICATED and self.on_unauthenticated is not None:
                self.on_unauthenticated()
            problem = decode_error(exc)
            if exc.code() == grpc.StatusCode.NOT_FOUND:
                return False  # no such person at this node: nobody consented
            log.warning("membership's CheckConsent failed: %s %s", problem.code.name, problem.reason)
            raise consent_unavailable() from None
        return bool(reply.in_force and reply.person == person
                    and reply.consent_purpose == consent_pb2.CONSENT_PURPOSE_REFERRAL_SHARING)

    def close(self) -> None:
        self.channel.close()
