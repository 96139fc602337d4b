"""Where a Keycloak realm is: its public issuer URL, and the address this service reaches it by.

Tokens name the public issuer (``https://id.example.org/realms/brobygger``). A service may reach the same
server by another address (``http://keycloak:8080/`` inside a compose network): its ``server_url``.
"""
from __future__ import annotations

from urllib.parse import urlsplit


def split_issuer(issuer: str) -> tuple[str, str]:
    """``https://host/prefix/realms/<realm>`` -> (``https://host/prefix/``, ``<realm>``)."""
    base, sep, realm = issuer.rstrip("/").rpartition("/realms/")
    parts = urlsplit(issuer)
    if not sep or not realm or "/" in realm or parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{issuer!r} is not a Keycloak realm URL such as https://id.example.org/realms/brobygger")
    return base + "/", realm


def server_base(issuer: str, server_url: str | None) -> str:
    """The identity server's base URL as reached from here, ending with '/'; ValueError for a non-realm issuer."""
    public, _ = split_issuer(issuer)
    return server_url.rstrip("/") + "/" if server_url else public


def reached(url: str, issuer: str, server_url: str | None) -> str:
    """A public URL of the issuer's server (from discovery, say) rewritten to server_url, when one is set."""
    if not server_url:
        return url
    public, _ = split_issuer(issuer)
    return server_base(issuer, server_url) + url[len(public):] if url.startswith(public) else url
