"""The development fallback secret of a confidential client: one formula for the issuer and the services.

The development issuer gives a client this secret when the realm file's ``${VAR}`` for it is unset, and a
service in development sends it when BROBYGGER_SERVICE_CLIENT_SECRET is unset. Production never uses it:
there Keycloak holds the real secrets.
"""
from __future__ import annotations


def dev_client_secret(client_id: str) -> str:
    """``dev-<clientId>-secret``."""
    return f"dev-{client_id}-secret"
