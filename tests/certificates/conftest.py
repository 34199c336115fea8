"""Fixtures for the certificates domain: fonts (cut once per machine), a signing identity."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib.tables._g_l_y_f import Glyph
from fontTools.ttLib.tables.TupleVariation import TupleVariation

from certificates.fonts import FontChain, FontFile, LoadedFonts, default_font_chain, load_fonts
from certificates.pdf import CertificateContent
from certificates.signing import SigningIdentity, create_signing_identity

JI = "𠮷"  # U+20BB7, CJK Extension B: missing from Noto Sans SC


@pytest.fixture(scope="session")
def default_chain() -> FontChain:
    return default_font_chain()


@pytest.fixture(scope="session")
def fonts(default_chain: FontChain) -> LoadedFonts:
    return load_fonts(default_chain)


@pytest.fixture(scope="session")
def primary_only(default_chain: FontChain) -> LoadedFonts:
    """The primary font with no fallback at all."""
    return load_fonts(FontChain(default_chain.regular, default_chain.bold))


@pytest.fixture(scope="session")
def with_made_fallback(default_chain: FontChain, tmp_path_factory) -> LoadedFonts:
    """The primary font and a fallback made here that has only 𠮷, so the fallback path is
    tested whatever fonts the machine has."""
    path = tmp_path_factory.mktemp("fonts") / "JiOnly.ttf"
    make_font(path, JI)
    return load_fonts(FontChain(default_chain.regular, default_chain.bold, (FontFile(path),)))


@pytest.fixture(scope="session")
def identity(tmp_path_factory) -> SigningIdentity:
    return create_signing_identity(tmp_path_factory.mktemp("keys"), "测试签发机关")


def content(**changes) -> CertificateContent:
    """A competency certificate; keyword arguments change fields."""
    fields = dict(
        holder_name="王喆",
        title="职业能力认证证书",
        number="ZN-2026-000123-25",
        issued_on=date(2026, 5, 20),
        expires_on=date(2029, 5, 19),
        issuer="中共市级机关工作委员会",
        verification_url="https://exam.example.gov.cn/verify/q8Zt3kq9Lm2WcX",
        level="优秀",
    )
    fields.update(changes)
    return CertificateContent(**fields)


def make_font(path: Path, chars: str, *, weight_axis: bool = False) -> None:
    """A TrueType font of filled squares standing in for ``chars``; with ``weight_axis``, a
    variable one whose squares widen along ``wght`` (100-900), as Noto's fonts vary."""
    glyphs = [f"g{i}" for i in range(len(chars))]
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder([".notdef", *glyphs])
    builder.setupCharacterMap({ord(char): glyph for char, glyph in zip(chars, glyphs, strict=True)})
    builder.setupGlyf({".notdef": TTGlyphPen(None).glyph()} | {g: _square() for g in glyphs})
    builder.setupHorizontalMetrics({".notdef": (500, 0)} | {g: (1000, 100) for g in glyphs})
    builder.setupHorizontalHeader(ascent=880, descent=-120)
    builder.setupNameTable({"familyName": path.stem.split("[")[0], "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880, usWinDescent=120)
    builder.setupPost()
    if weight_axis:
        builder.setupFvar(axes=[("wght", 100, 100, 900, "Weight")], instances=[])
        wider = [(50, 0), (50, 0), (50, 0), (50, 0)] + [(0, 0)] * 4  # 4 points, 4 phantom
        builder.setupGvar({g: [TupleVariation({"wght": (0, 1, 1)}, wider)] for g in glyphs})
    builder.save(str(path))


def _square() -> Glyph:
    """A filled square's outline: four points, no curves."""
    pen = TTGlyphPen(None)
    for x, y in ((100, 0), (900, 0), (900, 800), (100, 800)):
        (pen.lineTo if x != 100 or y != 0 else pen.moveTo)((x, y))
    pen.closePath()
    return pen.glyph()
