"""Signing certificate PDFs (PAdES B-B with pyHanko) so that a changed byte is detectable,
and checking them against the issuer's certificate (``certificates.signing``).

A module of its own because pyHanko takes 0.6 s of CPU to import: only the processes that
sign import it (a job worker at its preload, before it forks; ``flask cert issue`` when it
signs); the web's processes, which start by the dozen, never need it.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.attributes import CMSAttributeProvider, SignedAttributeProviderSpec
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.general import as_signing_certificate_v2
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from certificates.signing import SigningIdentity

FIELD_NAME = "IssuerSignature"
# The hash naming the signer's certificate in the signing-certificate-v2 attribute. Not
# SHA-256: that is the field's DEFAULT, so the DER leaves it out and asn1crypto rebuilds
# it whenever the value is read, then counts the value as changed for good; each later
# encoding of the signature re-encodes its nested names again and again (about 3^depth
# times). With the shipped issuer's name every second signature cost ~45 ms instead of
# 3 (bench/RESULTS.md). SHA-512 is written out in the DER, so nothing is rebuilt.
ESS_HASH = "sha512"


@dataclass(frozen=True)
class SignatureReport:
    """What checking a PDF's signature found; ``ok`` only when every part holds."""

    signed: bool
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    covers_whole_file: bool = False
    signer: str = ""
    problem: str = ""

    @property
    def ok(self) -> bool:
        return (
            self.signed and self.intact and self.valid and self.trusted and self.covers_whole_file
        )


def sign_pdf(pdf_bytes: bytes, identity: SigningIdentity) -> bytes:
    """The PDF with an invisible PAdES signature appended as an incremental update."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        reason="证书签发",
    )
    # A fixed reservation skips pyHanko's trial signature: an ECDSA CMS is well under 8 KiB.
    output = signers.sign_pdf(writer, metadata, signer=_signer(identity), bytes_reserved=8192)
    return output.getvalue()


def verify_pdf(pdf_bytes: bytes, trust_root: Path) -> SignatureReport:
    """Check the PDF's signature against ``trust_root`` (the issuer's certificate PEM)."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        signatures = reader.embedded_signatures
        if not signatures:
            return SignatureReport(signed=False, problem="文件没有签名")
        context = ValidationContext(
            trust_roots=[load_cert_from_pemder(str(trust_root))], allow_fetching=False
        )
        status = validate_pdf_signature(signatures[-1], context)
    except Exception as exc:  # a damaged file is a failed check, whatever broke
        return SignatureReport(signed=False, problem=f"无法读取签名：{exc}")
    return SignatureReport(
        signed=True,
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        signer=status.signing_cert.subject.human_friendly,
        problem="" if status.bottom_line else status.summary(),
    )


def preload_signer(identity: SigningIdentity) -> None:
    """Parse the key now: a job worker does so once before forking its processes."""
    _signer(identity)


@functools.cache
def _signer(identity: SigningIdentity) -> signers.SimpleSigner:
    """Load the key once per process: parsing it for every certificate would cost more."""
    signer = signers.SimpleSigner.load(str(identity.key_path), str(identity.cert_path))
    if signer is None:
        raise ValueError(f"无法读取签名密钥 {identity.key_path} 或证书 {identity.cert_path}")
    signer.signed_attr_prov_spec = PadesSignedAttributes(signer.signing_cert)
    return signer


class PadesSignedAttributes(SignedAttributeProviderSpec):
    """The signed attributes pyHanko gives a PAdES signature (besides the content type and
    the message digest it always adds: the signing-certificate-v2 attribute, and no
    signing time, which PAdES forbids), with that attribute encoded once per process.

    It names the signer's certificate, so it is the same in every signature; built by
    pyHanko for each one, its DER encoding cost two thirds of a signature's CPU
    (asn1crypto re-encodes the nested issuer name dozens of times). Here pyHanko builds it
    once, naming the certificate by its ``ESS_HASH``, and each signature reads back those
    bytes (``tests/certificates/test_signing_attributes.py`` compares them with pyHanko's
    own and checks that no signature encodes them again).
    """

    def __init__(self, signing_cert: asn1_x509.Certificate) -> None:
        self._der = as_signing_certificate_v2(signing_cert, hash_algo=ESS_HASH).dump()

    def signed_attr_providers(
        self, data_digest: bytes, digest_algorithm: str
    ) -> Iterator[CMSAttributeProvider]:
        yield _EncodedSigningCertificate(self._der)


class _EncodedSigningCertificate(CMSAttributeProvider):
    attribute_type = "signing_certificate_v2"

    def __init__(self, der: bytes) -> None:
        self._der = der

    async def build_attr_value(self, dry_run: bool = False) -> tsp.SigningCertificateV2:
        return tsp.SigningCertificateV2.load(self._der)
