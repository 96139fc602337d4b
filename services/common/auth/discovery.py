"""OpenID discovery: where an issuer publishes its signing keys."""
from __future__ import annotations

import json
import logging
import urllib.request

from services.common.auth.errors import shown
from services.common.auth.realm_url import reached

log = logging.getLogger(__name__)


def find_jwks_uri(issuer: str, *, server_url: str | None, timeout: float) -> str:
    """The ``jwks_uri`` of the issuer's discovery document, both reached through server_url when one is set.

    Raises OSError when the document cannot be fetched and ValueError when it is not usable.
    """
    url = reached(f"{issuer}/.well-known/openid-configuration", issuer, server_url)
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - the issuer is http(s)
        doc = json.loads(response.read())
    if not isinstance(doc, dict):
        raise ValueError("the discovery document is not a JSON object")
    if doc.get("issuer") != issuer:
        log.warning("discovery at %s names issuer %s, this verifier expects %s; tokens will be refused "
                    "with WRONG_ISSUER unless they carry the expected one", url, shown(doc.get("issuer")), issuer)
    uri = doc.get("jwks_uri")
    if not isinstance(uri, str) or not uri.startswith(("http://", "https://")):
        raise ValueError("the discovery document has no usable jwks_uri")
    return reached(uri, issuer, server_url)
