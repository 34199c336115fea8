"""The issuer's signing identity: its key and self-signed X.509 certificate.

They live in a directory (``flask cert init-key`` and ``make run`` create them when
missing). The self-signed certificate is the trust root: anyone given ``signing-cert.pem``
can check a certificate PDF (``certificates.pdf_signature`` signs and checks them), e.g.
with ``pyhanko sign validate --trust signing-cert.pem certificate.pdf``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

KEY_FILE = "signing-key.pem"
CERT_FILE = "signing-cert.pem"
VALID_YEARS = 20


@dataclass(frozen=True)
class SigningIdentity:
    """Where the issuer's private key and self-signed certificate are kept."""

    key_path: Path
    cert_path: Path


def create_signing_identity(directory: Path, common_name: str) -> SigningIdentity:
    """The identity in ``directory``, made now (ECDSA P-256, self-signed) if missing."""
    identity = SigningIdentity(directory / KEY_FILE, directory / CERT_FILE)
    if identity.key_path.exists() and identity.cert_path.exists():
        return identity
    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        ]
    )
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=365 * VALID_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # non-repudiation: pyHanko expects it of signers
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write_private(identity.key_path, key_pem)
    identity.cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return identity


def _write_private(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
