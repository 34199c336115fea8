"""Signed certificates validate against the issuer's certificate and fail once changed."""

from __future__ import annotations

import pytest

from certificates.pdf import render_certificate
from certificates.pdf_signature import sign_pdf, verify_pdf
from certificates.signing import create_signing_identity
from tests.certificates.conftest import content


@pytest.fixture(scope="module")
def signed(fonts, identity) -> bytes:
    return sign_pdf(render_certificate(content(), fonts), identity)


def test_signature_validates_with_the_self_signed_root(signed, identity):
    report = verify_pdf(signed, identity.cert_path)
    assert report.ok, report
    assert "测试签发机关" in report.signer


def _flip(data: bytes, offset: int) -> bytes:
    changed = bytearray(data)
    changed[offset] ^= 0x01
    return bytes(changed)


@pytest.mark.parametrize("where", [0.1, 0.3, 0.5, 0.7])
def test_one_changed_byte_fails(signed, identity, where):
    offset = int(len(signed) * where)
    report = verify_pdf(_flip(signed, offset), identity.cert_path)
    assert not report.ok


def test_a_changed_name_fails(signed, identity):
    # Change the first byte of the signed content's first stream.
    offset = signed.index(b"stream\n") + len(b"stream\n")
    assert not verify_pdf(_flip(signed, offset), identity.cert_path).ok


def test_another_issuers_root_is_not_trusted(signed, tmp_path):
    stranger = create_signing_identity(tmp_path, "冒名机关")
    report = verify_pdf(signed, stranger.cert_path)
    assert report.intact and not report.trusted and not report.ok


def test_unsigned_pdf_is_not_ok(fonts, identity):
    report = verify_pdf(render_certificate(content(), fonts), identity.cert_path)
    assert not report.signed and not report.ok


def test_identity_is_made_once_and_key_kept_private(tmp_path):
    first = create_signing_identity(tmp_path, "机关")
    pem = first.cert_path.read_bytes()
    again = create_signing_identity(tmp_path, "机关")
    assert again == first and again.cert_path.read_bytes() == pem
    assert first.key_path.stat().st_mode & 0o777 == 0o600
