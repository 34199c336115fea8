"""The signed attributes encoded once per process are the ones pyHanko itself signs,
naming the signer's certificate by its SHA-512 hash, and no signature encodes them again."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from asn1crypto import tsp
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter

from certificates.pdf import render_certificate
from certificates.pdf_signature import FIELD_NAME, sign_pdf, verify_pdf
from certificates.rules_format import parse_rules
from certificates.signing import SigningIdentity, create_signing_identity
from tests.certificates.conftest import content


@pytest.fixture(scope="module")
def unsigned(fonts) -> bytes:
    return render_certificate(content(), fonts)


def _signed_by_pyhanko_defaults(pdf: bytes, identity) -> bytes:
    """The same PAdES signature with a signer as pyHanko sets it up, nothing cached."""
    signer = signers.SimpleSigner.load(str(identity.key_path), str(identity.cert_path))
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME, md_algorithm="sha256", subfilter=SigSeedSubFilter.PADES
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    return signers.sign_pdf(writer, metadata, signer=signer).getvalue()


def _signed_attributes(pdf: bytes) -> list[tuple[str, bytes]]:
    signature = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures[0]
    return [
        (attribute["type"].native, attribute["values"].dump())
        for attribute in signature.signer_info["signed_attrs"]
    ]


def test_signed_attributes_are_pyhankos_naming_the_certificate_by_sha512(unsigned, identity):
    ours = dict(_signed_attributes(sign_pdf(unsigned, identity)))
    theirs = dict(_signed_attributes(_signed_by_pyhanko_defaults(unsigned, identity)))
    assert (
        list(ours) == list(theirs) == ["content_type", "message_digest", "signing_certificate_v2"]
    )
    # The message digest is the document's own; the content type is byte for byte the same.
    assert ours["content_type"] == theirs["content_type"]
    # pyHanko names the certificate by its SHA-256 hash, these signatures by its SHA-512.
    (ess,) = tsp.SetOfSigningCertificatesV2.load(ours["signing_certificate_v2"])
    certificate = load_cert_from_pemder(str(identity.cert_path))
    (named,) = ess["certs"]
    assert named["hash_algorithm"]["algorithm"].native == "sha512"
    assert named["cert_hash"].native == hashlib.sha512(certificate.dump()).digest()
    assert named["issuer_serial"]["serial_number"].native == certificate.serial_number
    assert named["issuer_serial"]["issuer"][0].chosen == certificate.issuer


@pytest.fixture(scope="module")
def shipped_issuer(tmp_path_factory) -> SigningIdentity:
    """A key as ``flask cert init-key`` makes it for the shipped rules' issuer."""
    rules, _ = parse_rules(Path("certificates/rules.yaml").read_bytes())
    return create_signing_identity(tmp_path_factory.mktemp("shipped"), rules.issuer)


def test_no_signature_encodes_the_signing_certificate_again(unsigned, shipped_issuer, monkeypatch):
    """With SHA-256, the DEFAULT, asn1crypto counted the attribute as changed once read, and
    about every second signature under the shipped issuer's name re-encoded its parts
    thousands of times (45 ms of CPU instead of 3)."""
    sign_pdf(unsigned, shipped_issuer)  # the key loaded, the attribute encoded once
    encoded = []
    re_encode = tsp.ESSCertIDv2._set_contents

    def counted(self, force=False):
        encoded.append(force)
        return re_encode(self, force)

    monkeypatch.setattr(tsp.ESSCertIDv2, "_set_contents", counted)
    for _ in range(16):
        assert verify_pdf(sign_pdf(unsigned, shipped_issuer), shipped_issuer.cert_path).ok
    monkeypatch.undo()
    assert encoded == []


def test_every_signature_of_a_process_validates(fonts, identity):
    """The attribute encoded once serves each signature that follows, not only the first."""
    for name in ("王喆", "李堃", "龚䶮"):
        signed = sign_pdf(render_certificate(content(holder_name=name), fonts), identity)
        report = verify_pdf(signed, identity.cert_path)
        assert report.ok, report
