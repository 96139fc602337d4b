"""Organisation-scoped resource names (AIP-122): organizations/{org}/persons/{id}."""
from __future__ import annotations

import re
import uuid

from services.common.errors import InvalidArgument, FieldViolation, NotFound

_ID = r"[A-Za-z0-9][A-Za-z0-9_-]{0,62}"
# An organisation id as the federation directory and tokens use it: 'mir', 'mira', 'mkr'.
ORG_RE = re.compile(r"^[a-z][a-z0-9-]{1,30}$")


def new_id() -> str:
    return uuid.uuid4().hex


class NamePattern:
    """A pattern like 'organizations/{org}/persons/{person}'."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.keys = re.findall(r"{(\w+)}", pattern)
        regex = re.escape(pattern)
        for key in self.keys:
            regex = regex.replace(re.escape("{" + key + "}"), f"(?P<{key}>{_ID})")
        self.regex = re.compile(f"^{regex}$")

    def format(self, **parts: str) -> str:
        return self.pattern.format(**parts)

    def parse(self, value: str, field: str, *, org: str | None = None) -> dict[str, str]:
        """Parse a name; an unknown organisation is reported as not found here."""
        match = self.regex.match(value or "")
        if not match:
            example = self.pattern.format(**{k: ("mir" if k == "org" else "0f3c9a") for k in self.keys})
            raise InvalidArgument(
                f"{field} must be a resource name like {example!r}.",
                reason="INVALID_NAME",
                violations=[FieldViolation(field, f"expected the form {self.pattern}")],
            )
        parts = match.groupdict()
        if org is not None and parts.get("org") != org:
            raise NotFound(
                f"{field} names organisation {parts.get('org')!r}, but this node serves {org!r}; "
                "send the request to that organisation's node.",
                reason="WRONG_ORGANIZATION",
            )
        return parts


ORGANIZATION = NamePattern("organizations/{org}")
PERSON = NamePattern("organizations/{org}/persons/{person}")
HOUSEHOLD = NamePattern("organizations/{org}/households/{household}")
HOUSEHOLD_MEMBER = NamePattern("organizations/{org}/households/{household}/members/{person}")
