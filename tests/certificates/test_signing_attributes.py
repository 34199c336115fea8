"""The signed attributes encoded once per process are the ones pyHanko itself would sign."""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter

from certificates.pdf import render_certificate
from certificates.signing import FIELD_NAME, sign_pdf, verify_pdf
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


def test_signed_attributes_are_pyhankos_own(unsigned, identity):
    ours = _signed_attributes(sign_pdf(unsigned, identity))
    theirs = _signed_attributes(_signed_by_pyhanko_defaults(unsigned, identity))
    kinds = ["content_type", "message_digest", "signing_certificate_v2"]
    assert [kind for kind, _ in ours] == [kind for kind, _ in theirs] == kinds
    # The message digest is the document's own; everything else is byte for byte the same.
    assert [a for a in ours if a[0] != "message_digest"] == [
        a for a in theirs if a[0] != "message_digest"
    ]


def test_every_signature_of_a_process_validates(fonts, identity):
    """The attribute encoded once serves each signature that follows, not only the first."""
    for name in ("王喆", "李堃", "龚䶮"):
        signed = sign_pdf(render_certificate(content(holder_name=name), fonts), identity)
        report = verify_pdf(signed, identity.cert_path)
        assert report.ok, report
