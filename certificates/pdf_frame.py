"""The decorated frame of a certificate page: red rules, a gold key (回纹) band, rosettes."""

from __future__ import annotations

import functools
import math

from reportlab.lib.colors import Color, HexColor
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.pathobject import PDFPathObject

RED = HexColor("#B5121B")
GOLD = HexColor("#C9A23F")
PALE_GOLD = HexColor("#FBF6E9")


def draw_frame(canvas: Canvas, w: float, h: float) -> None:
    """The red double frame with its gold key band and corner rosettes."""
    canvas.setFillColor(PALE_GOLD)
    canvas.rect(0, 0, w, h, stroke=0, fill=1)
    canvas.setStrokeColor(RED)
    canvas.setLineWidth(7)
    canvas.rect(18, 18, w - 36, h - 36)
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(1.2)
    canvas.rect(26, 26, w - 52, h - 52)
    canvas.rect(44, 44, w - 88, h - 88)
    _key_band(canvas, 26, 44, w, h)
    canvas.setStrokeColor(RED)
    canvas.setLineWidth(0.8)
    canvas.rect(48, 48, w - 96, h - 96)
    for cx, cy in ((35, 35), (w - 35, 35), (35, h - 35), (w - 35, h - 35)):
        _rosette(canvas, cx, cy)


def _key_band(canvas: Canvas, outer: float, inner: float, w: float, h: float) -> None:
    """A gold key (回纹) pattern around the page between the two gold rules."""
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(1.1)
    canvas.drawPath(_key_band_path(outer, inner, w, h), stroke=1, fill=0)


@functools.cache
def _key_band_path(outer: float, inner: float, w: float, h: float) -> PDFPathObject:
    """The band's ~140 keys as one path, made once per process: the same on every page,
    and drawn a path each they cost a sixth of a certificate's rendering."""
    path = PDFPathObject()
    step, size = 18.0, (inner - outer) - 6
    mid = (outer + inner) / 2
    x = inner + 4
    while x + size < w - inner - 4:
        for y in (mid, h - mid):
            _key(path, x, y - size / 2, size)
        x += step
    y = inner + 4
    while y + size < h - inner - 4:
        for xx in (mid, w - mid):
            _key(path, xx - size / 2, y, size)
        y += step
    return path


def _key(path: PDFPathObject, x: float, y: float, s: float) -> None:
    path.moveTo(x, y)
    for dx, dy in ((s, 0), (s, s), (s * 0.25, s), (s * 0.25, s * 0.35), (s * 0.7, s * 0.35)):
        path.lineTo(x + dx, y + dy)
    path.lineTo(x + s * 0.7, y + s * 0.7)


def _rosette(canvas: Canvas, cx: float, cy: float) -> None:
    canvas.setFillColor(GOLD)
    canvas.setStrokeColor(RED)
    canvas.setLineWidth(1)
    canvas.circle(cx, cy, 9, stroke=1, fill=1)
    star(canvas, cx, cy, 6, RED)


def star(canvas: Canvas, cx: float, cy: float, radius: float, color: Color) -> None:
    path = canvas.beginPath()
    for i in range(10):
        r = radius if i % 2 == 0 else radius * 0.38
        angle = math.pi / 2 + i * math.pi / 5
        point = (cx + r * math.cos(angle), cy + r * math.sin(angle))
        path.moveTo(*point) if i == 0 else path.lineTo(*point)
    path.close()
    canvas.setFillColor(color)
    canvas.drawPath(path, stroke=0, fill=1)
