"""CJK fonts for certificates: which files, loaded once per process, with per-character fallback.

The primary font is Noto Sans SC (SIL Open Font License), which arrives as a Python
dependency (``justmytype-intl-cjk``) in variable form; its Regular and Bold instances are
cut once per machine (``certificates.font_cuts``). Characters it lacks fall back, per
character, to faces of the same design at the same weight from the same package: Noto
Sans JP has 𠮷 (U+20BB7) and Noto Sans TC has 𡈼 (U+2123C), among some two thousand
rarer ideographs, cut down to those. Only a character no Noto face has falls back to
HanaMin A/B (Debian's ``fonts-hanazono``, a Mincho face), drawn thicker in bold text so
it does not look thin beside its neighbours. A character no font has, and emoji and
pictographic symbols, are refused with ``UnprintableCharacter``, never printed as an
empty box or a picture.
"""

from __future__ import annotations

import functools
import os
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

from certificates.font_cuts import static_instance

FONT_PACKAGE = "justmytype_intl_cjk"
PRIMARY_SOURCE = "fonts/ofl/notosanssc/NotoSansSC[wght].ttf"
FALLBACK_SOURCES = (
    "fonts/ofl/notosansjp/NotoSansJP[wght].ttf",
    "fonts/ofl/notosanstc/NotoSansTC[wght].ttf",
)
LAST_RESORT = (
    Path("/usr/share/fonts/truetype/hanazono/HanaMinA.ttf"),
    Path("/usr/share/fonts/truetype/hanazono/HanaMinB.ttf"),
)
# Symbols, emoji and invisible characters: a certificate prints none of them.
_PICTOGRAPHIC = {"So", "Sk", "Me", "Cc", "Cf", "Cs", "Co"}


class UnprintableCharacter(ValueError):
    """A text holds a character none of the configured fonts can draw."""

    def __init__(self, char: str, text: str, *, symbol: bool = False) -> None:
        self.char = char
        self.text = text
        where = f"“{text}”中的字符“{char}”（U+{ord(char):04X}）"
        if symbol:
            message = f"{where}是表情或图形符号，证书上不予打印；请核对姓名用字，删去该符号"
        else:
            message = (
                f"{where}无法用证书字体打印；请联系系统管理员配置包含该字的后备字体，或核对姓名用字"
            )
        super().__init__(message)


@dataclass(frozen=True)
class FontFile:
    """One TrueType file (``index`` picks a face in a .ttc collection); ``embolden`` draws
    it with a thin outline too, for a light face standing in for a bold one."""

    path: Path
    index: int = 0
    embolden: bool = False


@dataclass(frozen=True)
class FontChain:
    """Primary regular and bold faces, then fallbacks tried in order for missing characters:
    ``fallbacks`` beside the regular face, ``bold_fallbacks`` (default: the same) beside bold."""

    regular: FontFile
    bold: FontFile
    fallbacks: tuple[FontFile, ...] = ()
    bold_fallbacks: tuple[FontFile, ...] | None = None


@dataclass(frozen=True)
class LoadedFace:
    name: str  # the name registered with ReportLab
    glyphs: Mapping[int, int]  # code point → glyph id; glyph 0 is .notdef, the empty box
    embolden: bool = False

    def has(self, char: str) -> bool:
        return bool(self.glyphs.get(ord(char)))


class LoadedFonts:
    """A chain registered with ReportLab; splits text into runs each face can draw."""

    def __init__(
        self,
        regular: LoadedFace,
        bold: LoadedFace,
        fallbacks: tuple[LoadedFace, ...],
        bold_fallbacks: tuple[LoadedFace, ...] | None = None,
    ):
        self.regular = regular
        self.bold = bold
        self.fallbacks = fallbacks
        self.bold_fallbacks = fallbacks if bold_fallbacks is None else bold_fallbacks
        # Most texts (titles, the grant, labels, the issuer) are the same on every
        # certificate, and wrapping a paragraph measures each of its prefixes.
        self._runs = functools.lru_cache(maxsize=4096)(self._split)

    def runs(self, text: str, *, bold: bool = False) -> tuple[tuple[LoadedFace, str], ...]:
        """``text`` cut into (face, text) runs; raises ``UnprintableCharacter``."""
        return self._runs(text, bold)

    def _split(self, text: str, bold: bool) -> tuple[tuple[LoadedFace, str], ...]:
        primary, fallbacks = (
            (self.bold, self.bold_fallbacks) if bold else (self.regular, self.fallbacks)
        )
        runs: list[tuple[LoadedFace, str]] = []
        for char in text:
            if _pictographic(char):
                raise UnprintableCharacter(char, text, symbol=True)
            face = self._face_for(char, primary, fallbacks)
            if face is None:
                raise UnprintableCharacter(char, text)
            if runs and runs[-1][0] is face:
                runs[-1] = (face, runs[-1][1] + char)
            else:
                runs.append((face, char))
        return tuple(runs)

    def check(self, *texts: str) -> None:
        """Refuse, before anything is issued, a text that cannot be printed."""
        for text in texts:
            self.runs(text)
            self.runs(text, bold=True)

    @staticmethod
    def _face_for(
        char: str, primary: LoadedFace, fallbacks: tuple[LoadedFace, ...]
    ) -> LoadedFace | None:
        if char == " " or primary.has(char):
            return primary
        return next((face for face in fallbacks if face.has(char)), None)


def _pictographic(char: str) -> bool:
    """Emoji, symbols, their modifiers and variation selectors, and invisible characters."""
    code_point = ord(char)
    return (
        unicodedata.category(char) in _PICTOGRAPHIC
        or 0xFE00 <= code_point <= 0xFE0F
        or 0xE0100 <= code_point <= 0xE01EF
    )


def default_font_chain(cache_dir: Path | None = None) -> FontChain:
    """Noto Sans SC Regular/Bold and the Noto Sans JP/TC fallbacks at the same weights (cut
    and cached on first use), then HanaMin where installed."""
    cache = cache_dir or _default_cache_dir()
    package = resources.files(FONT_PACKAGE)
    source = Path(str(package / PRIMARY_SOURCE))
    chain: dict[str, list[FontFile]] = {}
    for style in ("Regular", "Bold"):
        chain[style] = [FontFile(static_instance(source, style, cache))]
        chain[style] += [
            FontFile(
                static_instance(Path(str(package / f)), style, cache, only_missing_from=source)
            )
            for f in FALLBACK_SOURCES
        ]
        chain[style] += [FontFile(p, embolden=style == "Bold") for p in LAST_RESORT if p.exists()]
    regular, *fallbacks = chain["Regular"]
    bold, *bold_fallbacks = chain["Bold"]
    return FontChain(regular, bold, tuple(fallbacks), tuple(bold_fallbacks))


@functools.cache
def load_fonts(chain: FontChain) -> LoadedFonts:
    """Parse and register the chain's fonts with ReportLab, once per process per chain."""
    ttfonts.makeToUnicodeCMap = _to_unicode_cmap
    bold_fallbacks = chain.fallbacks if chain.bold_fallbacks is None else chain.bold_fallbacks
    return LoadedFonts(
        _load(chain.regular),
        _load(chain.bold),
        tuple(map(_load, chain.fallbacks)),
        tuple(map(_load, bold_fallbacks)),
    )


def _load(font: FontFile) -> LoadedFace:
    name = f"cert-{font.path.stem}-{font.index}"
    if name not in pdfmetrics.getRegisteredFontNames():
        loaded = TTFont(name, str(font.path), subfontIndex=font.index)
        _read_glyphs_in_place(loaded.face)
        pdfmetrics.registerFont(loaded)
    return LoadedFace(name, pdfmetrics.getFont(name).face.charToGlyph, font.embolden)


class _TableInPlace:
    """A font table read where it lies in the font file's bytes: a slice copies only
    itself."""

    def __init__(self, data: bytes, start: int, length: int) -> None:
        self._view = memoryview(data)[start : start + length]

    def __getitem__(self, key: slice) -> bytes:
        return self._view[key].tobytes()


def _read_glyphs_in_place(face: ttfonts.TTFontFile) -> None:
    """ReportLab copies a font's whole glyph table to cut each document's subset: 10 MB
    for each Noto Sans SC weight, most of a certificate's rendering time (~23 ms of CPU
    against ~10 ms without). The subset reads the few glyphs it needs from the table in
    place instead; the PDF's bytes are the same."""
    copied = face.get_table

    def get_table(tag: str) -> bytes | _TableInPlace:
        if tag != "glyf":
            return copied(tag)
        start, length = face.get_table_pos(tag)
        return _TableInPlace(face._ttf_data, start, length)

    face.get_table = get_table


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """ReportLab's ToUnicode CMap, but with UTF-16 as PDF requires: ReportLab 5.1 writes a
    character beyond the BMP (𠮷 is U+20BB7) as ``<20BB7>``, which readers cannot map, so
    the name would print but not copy or search. Installed by ``load_fonts``."""
    entries = [
        f"<{i:02X}> <{chr(cp).encode('utf-16-be').hex().upper()}>" for i, cp in enumerate(subset)
    ]
    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            f"/CIDSystemInfo\n<< /Registry ({fontname})\n/Ordering ({fontname})\n/Supplement 0\n>> def",
            f"/CMapName /{fontname} def",
            "/CMapType 2 def",
            f"1 begincodespacerange\n<00> <{len(subset) - 1:02X}>\nendcodespacerange",
            f"{len(subset)} beginbfchar",
            *entries,
            "endbfchar\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend",
        ]
    )


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "dangwu-exam" / "fonts"
