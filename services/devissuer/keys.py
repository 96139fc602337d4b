"""The development issuer's RSA signing key: created, loaded, published as a JWK."""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

KEY_BITS = 2048


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _int_bytes(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8 or 1, "big")


@dataclass
class SigningKey:
    """An RSA private key with its key id (the RFC 7638 thumbprint of the public key)."""

    private_key: rsa.RSAPrivateKey
    kid: str = field(init=False)
    _public_jwk: dict = field(init=False, repr=False)
    _certificate: x509.Certificate | None = field(init=False, default=None, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.private_key, rsa.RSAPrivateKey):
            raise TypeError("the development issuer signs with RS256 and needs an RSA private key")
        numbers = self.private_key.public_key().public_numbers()
        core = {"e": b64url(_int_bytes(numbers.e)), "kty": "RSA", "n": b64url(_int_bytes(numbers.n))}
        canonical = json.dumps(core, separators=(",", ":"), sort_keys=True).encode("ascii")
        self.kid = b64url(hashlib.sha256(canonical).digest())
        self._public_jwk = core

    @classmethod
    def generate(cls) -> "SigningKey":
        return cls(rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS))

    @classmethod
    def from_pem(cls, pem: bytes) -> "SigningKey":
        return cls(serialization.load_pem_private_key(pem, password=None))

    @classmethod
    def from_file(cls, path: str | Path) -> "SigningKey":
        """Load the PEM key at path, or create it there (mode 0600) so restarts keep the key."""
        path = Path(path)
        if path.exists():
            return cls.from_pem(path.read_bytes())
        key = cls.generate()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key.pem())
        return key

    def pem(self) -> bytes:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def public_pem(self) -> str:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii")

    def certificate(self, subject: str) -> x509.Certificate:
        """A self-signed certificate for the x5c member of the JWK, as Keycloak publishes."""
        if self._certificate is None:
            name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
            now = dt.datetime.now(dt.timezone.utc)
            self._certificate = (
                x509.CertificateBuilder()
                .subject_name(name)
                .issuer_name(name)
                .public_key(self.private_key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(days=1))
                .not_valid_after(now + dt.timedelta(days=3650))
                .sign(self.private_key, hashes.SHA256())
            )
        return self._certificate

    def public_jwk(self, subject: str = "brobygger") -> dict:
        cert_der = self.certificate(subject).public_bytes(serialization.Encoding.DER)
        return {
            "kid": self.kid,
            "kty": "RSA",
            "alg": "RS256",
            "use": "sig",
            **{k: v for k, v in self._public_jwk.items() if k in ("n", "e")},
            "x5c": [base64.b64encode(cert_der).decode("ascii")],
            "x5t": b64url(hashlib.sha1(cert_der).digest()),  # noqa: S324 - JWK thumbprint, not security
            "x5t#S256": b64url(hashlib.sha256(cert_der).digest()),
        }

    def hmac_secret(self) -> bytes:
        """Secret for refresh tokens (HS512, as Keycloak signs them), derived from the key so it survives restarts."""
        der = self.private_key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        return hashlib.sha512(b"brobygger-devissuer-refresh-token\x00" + der).digest()
