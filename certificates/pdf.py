"""The certificate as an A4 PDF, in Chinese, drawn with ReportLab.

Landscape A4 in the national style: a red double frame with a gold key-pattern band, the
title in red, the holder's name and the grant in the middle, the number and dates with a
QR code to the public verification page at the bottom left, and the issuer, the date in
Chinese numerals and the optional seal at the bottom right. Every text goes through the
font chain (``certificates.fonts``), so a character no font has is refused before any
byte is written, and the output is byte-for-byte reproducible (ReportLab's invariant
mode), which keeps stored certificates and tests honest.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from certificates.fonts import LoadedFonts
from certificates.pdf_frame import GOLD, RED, draw_frame, star

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
INK = HexColor("#222222")
GREY = HexColor("#555555")
QR_SIZE = 92.0
QR_MASK = 2
EMBOLDEN = 0.035  # outline width, per point of type size, that makes HanaMin look bold
_DIGITS = "〇一二三四五六七八九"


@dataclass(frozen=True)
class CertificateContent:
    """What one certificate says; the caller builds ``verification_url`` from the configured
    public base URL and the certificate's unguessable token, never from a request."""

    holder_name: str
    title: str
    number: str
    issued_on: date
    expires_on: date | None
    issuer: str
    verification_url: str
    level: str | None = None
    position: str | None = None
    exam_title: str | None = None

    def body(self) -> str:
        """The grant, worded for the kind of certificate."""
        if self.position:
            exam = self.exam_title or "任前党务基本知识测试"
            return f"参加{exam}，成绩合格，具备拟任{self.position}所需的党务基本知识。特发此证明。"
        exam = self.exam_title or "党务工作者职业能力认证考核"
        grade = f"成绩{self.level}" if self.level else "成绩合格"
        return f"参加{exam}，{grade}，经审核符合认证要求。特发此证书。"

    def texts(self) -> tuple[str, ...]:
        """Every text that will be printed, for checking fonts before issuance."""
        optional = [t for t in (self.level, self.position) if t]
        fixed = (self.holder_name, self.title, self.body(), self.issuer, self.number)
        return (*fixed, chinese_date(self.issued_on), *optional)


def render_certificate(
    content: CertificateContent, fonts: LoadedFonts, seal_image: Path | bytes | None = None
) -> bytes:
    """The certificate PDF; raises ``UnprintableCharacter`` for a text the fonts cannot print."""
    fonts.check(*content.texts())
    buffer = io.BytesIO()
    canvas = Canvas(
        buffer,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        invariant=1,
        pageCompression=1,
        initialFontName=fonts.regular.name,  # not Helvetica: every font in the file is embedded
    )
    canvas.setTitle(f"{content.title} {content.number}")
    canvas.setAuthor(content.issuer)
    canvas.setSubject(content.holder_name)
    canvas.setCreator("dangwu-exam")
    pen = _Pen(canvas, fonts)
    draw_frame(canvas, PAGE_WIDTH, PAGE_HEIGHT)
    _heading(pen, content)
    _grant(pen, content)
    _particulars(pen, content)
    _issuer(pen, content, seal_image)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def qr_matrix(url: str) -> list[list[bool]]:
    """The QR modules (no quiet zone) for a URL, error correction M."""
    # A fixed mask skips trying all eight (a third of the render time); any mask is valid.
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=QR_MASK)
    code.add_data(url)
    code.make(fit=True)
    return code.get_matrix()


def chinese_date(day: date) -> str:
    """2026-05-20 → 二〇二六年五月二十日, as dates are written on official documents."""
    year = "".join(_DIGITS[int(d)] for d in f"{day.year:04d}")
    return f"{year}年{_small_number(day.month)}月{_small_number(day.day)}日"


def _small_number(n: int) -> str:
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones else "") if n >= 10 else _DIGITS[n]


class _Pen:
    """Draws text through the font chain, a run per font, with optional letter spacing."""

    def __init__(self, canvas: Canvas, fonts: LoadedFonts) -> None:
        self.canvas = canvas
        self.fonts = fonts

    def width(self, text: str, size: float, *, bold: bool = False, spacing: float = 0) -> float:
        runs = self.fonts.runs(text, bold=bold)
        return sum(stringWidth(t, f.name, size) for f, t in runs) + spacing * max(len(text) - 1, 0)

    def text(
        self,
        x: float,
        y: float,
        text: str,
        size: float,
        *,
        bold: bool = False,
        color: Color = INK,
        align: str = "left",
        spacing: float = 0,
    ) -> float:
        """Draw ``text`` with its baseline at ``y``; returns the x where it ends."""
        width = self.width(text, size, bold=bold, spacing=spacing)
        x -= {"left": 0, "center": width / 2, "right": width}[align]
        self.canvas.setFillColor(color)
        for face, run in self.fonts.runs(text, bold=bold):
            if face.embolden:  # filled and outlined: a light fallback face as heavy as bold
                self.canvas.saveState()
                self.canvas.setStrokeColor(color)
                self.canvas.setLineWidth(size * EMBOLDEN)
            out = self.canvas.beginText(x, y)
            out.setFont(face.name, size)
            out.setCharSpace(spacing)
            out.setTextRenderMode(2 if face.embolden else 0)
            out.textOut(run)
            self.canvas.drawText(out)
            if face.embolden:
                self.canvas.restoreState()
            x += stringWidth(run, face.name, size) + spacing * len(run)
        return x

    def wrap(self, text: str, size: float, width: float, indent: float) -> list[str]:
        """Break a Chinese paragraph into lines no wider than ``width`` (first line indented)."""
        lines, current, limit = [], "", width - indent
        for char in text:
            if current and self.width(current + char, size) > limit:
                if char in "，。；：、）》”":  # no closing punctuation at a line's start
                    current, char = current[:-1], current[-1] + char
                lines.append(current)
                current, limit = char, width
            else:
                current += char
        return [*lines, current] if current else lines


def _heading(pen: _Pen, content: CertificateContent) -> None:
    centre = PAGE_WIDTH / 2
    pen.text(centre, 476, content.title, 40, bold=True, color=RED, align="center", spacing=10)
    canvas = pen.canvas
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(1.5)
    canvas.line(centre - 230, 450, centre - 14, 450)
    canvas.line(centre + 14, 450, centre + 230, 450)
    canvas.setLineWidth(0.6)
    canvas.line(centre - 200, 445, centre - 14, 445)
    canvas.line(centre + 14, 445, centre + 200, 445)
    star(canvas, centre, 448, 9, GOLD)


def _grant(pen: _Pen, content: CertificateContent) -> None:
    left, width = 130.0, PAGE_WIDTH - 260
    end = pen.text(left, 390, content.holder_name, 30, bold=True, color=INK, spacing=4)
    pen.text(end + 8, 390, "同志：", 19, color=INK)
    size, leading = 19.0, 38.0
    y = 344.0
    for i, line in enumerate(pen.wrap(content.body(), size, width, indent=2 * size)):
        pen.text(left + (2 * size if i == 0 else 0), y, line, size, color=INK, spacing=1)
        y -= leading
    badge = (
        f"认证等级：{content.level}"
        if content.level
        else f"拟任职务：{content.position}"
        if content.position
        else None
    )
    if badge:
        pen.text(PAGE_WIDTH / 2, y - 22, badge, 24, bold=True, color=RED, align="center", spacing=3)


def _particulars(pen: _Pen, content: CertificateContent) -> None:
    x, y = 74.0, 70.0
    canvas = pen.canvas
    canvas.setFillColor(HexColor("#FFFFFF"))
    canvas.rect(x - 4, y - 4, QR_SIZE + 8, QR_SIZE + 8, stroke=0, fill=1)
    _qr(canvas, content.verification_url, x, y, QR_SIZE)
    pen.text(x + QR_SIZE / 2, y - 18, "扫码核验真伪", 9.5, color=GREY, align="center", spacing=1)
    rows = [("证书编号", content.number), ("发证日期", content.issued_on.isoformat())]
    rows.append(("有效期至", content.expires_on.isoformat() if content.expires_on else "长期有效"))
    tx, ty = x + QR_SIZE + 20, y + QR_SIZE - 14
    for label, value in rows:
        end = pen.text(tx, ty, f"{label}：", 12, color=GREY)
        pen.text(end, ty, value, 12, bold=label == "证书编号", color=INK)
        ty -= 24


def _qr(canvas: Canvas, url: str, x: float, y: float, size: float) -> None:
    """Vector QR modules, a rectangle per horizontal run, so it scans sharp at any zoom;
    one path filled once rather than a fill per rectangle."""
    matrix = qr_matrix(url)
    cell = size / len(matrix)
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        top = y + size - (row_index + 1) * cell
        column = 0
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            start = column
            while column < len(row) and row[column]:
                column += 1
            path.rect(x + start * cell, top, (column - start) * cell, cell)
    canvas.setFillColor(HexColor("#000000"))
    canvas.drawPath(path, stroke=0, fill=1)


def _issuer(pen: _Pen, content: CertificateContent, seal_image: Path | bytes | None) -> None:
    centre, y = PAGE_WIDTH - 210, 120.0
    pen.text(centre, y, content.issuer, 17, color=INK, align="center", spacing=1)
    pen.text(centre, y - 30, chinese_date(content.issued_on), 15, color=INK, align="center")
    if seal_image is not None:  # over the issuer's name, as a stamped seal is
        source = io.BytesIO(seal_image) if isinstance(seal_image, bytes) else str(seal_image)
        size = 124
        pen.canvas.drawImage(
            ImageReader(source), centre - size / 2, y - 70, size, size, mask="auto"
        )
