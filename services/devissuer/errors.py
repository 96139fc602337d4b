"""The development issuer's errors: its refusal to run outside development, and Keycloak's OAuth errors."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping

ENV_VAR = "BROBYGGER_ENV"


class DevelopmentOnlyError(RuntimeError):
    """Raised when the development issuer is used outside development."""


def require_development(environ: Mapping[str, str] | None = None) -> None:
    value = (os.environ if environ is None else environ).get(ENV_VAR)
    if value != "development":
        shown = "not set" if value is None else f"{value!r}"
        raise DevelopmentOnlyError(
            f"the development issuer refuses to run: {ENV_VAR} is {shown}, not 'development'. "
            f"It signs tokens for every user in the realm file with known passwords, so it must never "
            f"serve a real deployment; use Keycloak there. For local work set {ENV_VAR}=development."
        )


@dataclass
class OAuthError(Exception):
    """An error response with Keycloak's OAuth error code, description and HTTP status."""

    status: int
    error: str
    description: str

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}
