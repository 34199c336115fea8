"""Certificate PDFs read back: text, embedded fonts, QR payload, rare names, refusals."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from certificates.fonts import FontChain, UnprintableCharacter, load_fonts
from certificates.pdf import chinese_date, qr_matrix, render_certificate
from tests.certificates.conftest import JI, content

PRE_APPOINTMENT = dict(
    title="任前党务知识测试合格证明",
    number="RQ-2026-000007-9A",
    level=None,
    position="党支部书记",
    exam_title="任前测试：党组织书记",
)


def _text(pdf: bytes) -> str:
    """The page text without white space (ReportLab's letter spacing reads as spaces)."""
    return "".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())


def _font_files(pdf: bytes) -> dict[str, bool]:
    """Each font on the page → whether its TrueType outlines (FontFile2) are embedded."""
    fonts = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"]
    found = {}
    for ref in fonts.values():
        font = ref.get_object()
        if font["/Subtype"] == "/Type0":
            font = font["/DescendantFonts"][0].get_object()
        descriptor = font.get("/FontDescriptor")
        found[str(font["/BaseFont"])] = (
            descriptor is not None and "/FontFile2" in descriptor.get_object()
        )
    return found


@pytest.mark.parametrize("fields", [{}, PRE_APPOINTMENT], ids=["competency", "pre-appointment"])
def test_text_holds_name_number_title_and_dates(fonts, fields):
    certificate = content(**fields)
    text = _text(render_certificate(certificate, fonts))
    for expected in (
        certificate.holder_name,
        certificate.number,
        certificate.title,
        "2026-05-20",
        "2029-05-19",
        "二〇二六年五月二十日",
        certificate.issuer,
    ):
        assert expected in text
    if certificate.position:
        assert "拟任职务：党支部书记" in text
    else:
        assert "认证等级：优秀" in text


@pytest.mark.parametrize("name", ["王喆", "李堃", "赵昇", "龚䶮"])
def test_rare_names_print_in_embedded_fonts(fonts, name):
    pdf = render_certificate(content(holder_name=name), fonts)
    assert name in _text(pdf)
    embedded = _font_files(pdf)
    assert embedded and all(embedded.values()), embedded


def test_a_character_the_primary_font_lacks_falls_back(with_made_fallback):
    pdf = render_certificate(content(holder_name=f"王{JI}"), with_made_fallback)
    embedded = _font_files(pdf)
    assert any("JiOnly" in name for name in embedded), embedded
    assert all(embedded.values())
    assert f"王{JI}" in _text(pdf)


# 𠮷 (U+20BB7) is in Noto Sans JP, 𡈼 (U+2123C) in Noto Sans TC; the rest in Noto Sans SC.
SANS_NAMES = ["王喆", "李堃", "赵昇", "龚䶮", f"吉{JI}", "王𡈼"]


@pytest.mark.parametrize("name", SANS_NAMES)
def test_rare_names_print_in_sans_faces_of_the_names_weight(fonts, name):
    """No Mincho beside the bold sans name: every font on the page is a Noto Sans cut,
    and a character from a fallback comes from its Bold cut, as the name is bold."""
    pdf = render_certificate(content(holder_name=name), fonts)
    assert name in _text(pdf)
    embedded = _font_files(pdf)
    assert all(embedded.values()), embedded
    assert all("NotoSans" in font for font in embedded), embedded
    fallbacks = [font for font in embedded if "Fallback" in font]
    assert all(font.endswith("-Bold") for font in fallbacks), fallbacks
    if name in (f"吉{JI}", "王𡈼"):
        assert fallbacks, embedded


def test_the_fallbacks_match_the_primary_weight(fonts):
    """Regular text falls back to Regular cuts, bold text to Bold ones."""
    regular = [face.name for face, _ in fonts.runs(f"吉{JI}")]
    bold = [face.name for face, _ in fonts.runs(f"吉{JI}", bold=True)]
    assert "NotoSansJPFallback-Regular" in regular[1] and "NotoSansSC-Regular" in regular[0]
    assert "NotoSansJPFallback-Bold" in bold[1] and "NotoSansSC-Bold" in bold[0]


@pytest.mark.parametrize(
    "name",
    ["王😀", "李☺\ufe0f", "张★", "赵\u200d明", "刘👍🏻", "陈\U0001f1e8\U0001f1f3"],
    ids=["emoji", "emoji-presentation", "star", "zero-width-joiner", "skin-tone", "flag"],
)
def test_emoji_and_symbols_in_names_are_refused(fonts, name):
    with pytest.raises(UnprintableCharacter) as caught:
        render_certificate(content(holder_name=name), fonts)
    assert "是表情或图形符号，证书上不予打印" in str(caught.value)
    assert caught.value.text == name


def test_a_name_no_font_can_print_is_refused_clearly(primary_only):
    with pytest.raises(UnprintableCharacter) as caught:
        render_certificate(content(holder_name=f"王{JI}"), primary_only)
    assert caught.value.char == JI
    assert f"“王{JI}”中的字符“{JI}”（U+20BB7）无法用证书字体打印" in str(caught.value)


def test_refused_before_rendering_by_check(primary_only):
    certificate = content(position=f"{JI}家村党支部书记", level=None)
    with pytest.raises(UnprintableCharacter):
        primary_only.check(*certificate.texts())


def test_rendering_is_reproducible(fonts):
    assert render_certificate(content(), fonts) == render_certificate(content(), fonts)


def test_seal_image_is_drawn(fonts):
    seal = Image.new("RGBA", (64, 64), (200, 20, 30, 200))
    buffer = io.BytesIO()
    seal.save(buffer, "PNG")
    with_seal = render_certificate(content(), fonts, seal_image=buffer.getvalue())
    xobjects = PdfReader(io.BytesIO(with_seal)).pages[0]["/Resources"]["/XObject"]
    assert len(xobjects) == 1


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils")
@pytest.mark.parametrize(
    "url",
    [
        "https://exam.example.gov.cn/verify/q8Zt3kq9Lm2WcX",
        "https://证书.example.cn/v/" + "Ab3_-" * 9,
    ],
)
def test_qr_payload_is_the_verification_url(fonts, tmp_path: Path, url):
    pdf = tmp_path / "c.pdf"
    pdf.write_bytes(render_certificate(content(verification_url=url), fonts))
    subprocess.run(["pdftoppm", "-png", "-r", "150", str(pdf), str(tmp_path / "page")], check=True)
    with Image.open(next(tmp_path.glob("page*.png"))) as page:
        found = zxingcpp.read_barcodes(page.convert("L"))
    assert [(code.format, code.text) for code in found] == [(zxingcpp.BarcodeFormat.QRCode, url)]


def test_qr_matrix_is_square_and_deterministic():
    matrix = qr_matrix("https://exam.example.gov.cn/verify/x")
    assert len(matrix) == len(matrix[0]) and matrix == qr_matrix(
        "https://exam.example.gov.cn/verify/x"
    )


@pytest.mark.parametrize(
    ("day", "text"),
    [
        ("2026-05-20", "二〇二六年五月二十日"),
        ("2030-10-01", "二〇三〇年十月一日"),
        ("2027-12-31", "二〇二七年十二月三十一日"),
        ("2028-11-10", "二〇二八年十一月十日"),
    ],
)
def test_chinese_date(day, text):
    from datetime import date

    assert chinese_date(date.fromisoformat(day)) == text


def test_fonts_load_once_per_process(default_chain):
    assert load_fonts(default_chain) is load_fonts(FontChain(*_fields(default_chain)))


def _fields(chain: FontChain):
    return chain.regular, chain.bold, chain.fallbacks, chain.bold_fallbacks
