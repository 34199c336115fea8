"""CJK fonts for certificates: which files, loaded once per process, with per-character fallback.

ReportLab embeds only TrueType (glyf) outlines, so the primary font is Noto Sans SC
(SIL Open Font License), which arrives as a Python dependency (``justmytype-intl-cjk``)
in its variable TrueType form. A variable font's default instance is Thin, so the
Regular (400) and Bold (700) static instances are cut from it once per machine with
fontTools and cached on disk (about 20 s each, under a file lock so that parallel
workers do not race). Characters the primary font lacks (e.g. 𠮷, CJK Extension B)
fall back per character to the next font in the chain that has them, by default
HanaMin A/B from Debian's ``fonts-hanazono`` where installed. A character no font has
is refused with ``UnprintableCharacter``, never printed as an empty box.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

VARIABLE_SOURCE = ("justmytype_intl_cjk", "fonts/ofl/notosanssc/NotoSansSC[wght].ttf")
SYSTEM_FALLBACKS = (
    Path("/usr/share/fonts/truetype/hanazono/HanaMinA.ttf"),
    Path("/usr/share/fonts/truetype/hanazono/HanaMinB.ttf"),
)
WEIGHTS = {"Regular": 400, "Bold": 700}
CACHE_FORMAT = 2  # bump when the way instances are cut changes


class UnprintableCharacter(ValueError):
    """A text holds a character none of the configured fonts can draw."""

    def __init__(self, char: str, text: str) -> None:
        self.char = char
        self.text = text
        super().__init__(
            f"“{text}”中的字符“{char}”（U+{ord(char):04X}）无法用证书字体打印；"
            "请联系系统管理员配置包含该字的后备字体，或核对姓名用字"
        )


@dataclass(frozen=True)
class FontFile:
    """One TrueType file (``index`` picks a face in a .ttc collection)."""

    path: Path
    index: int = 0


@dataclass(frozen=True)
class FontChain:
    """Primary regular and bold faces, then fallbacks tried in order for missing characters."""

    regular: FontFile
    bold: FontFile
    fallbacks: tuple[FontFile, ...] = ()


@dataclass(frozen=True)
class LoadedFace:
    name: str  # the name registered with ReportLab
    glyphs: Mapping[int, int]  # code point → glyph id; glyph 0 is .notdef, the empty box

    def has(self, char: str) -> bool:
        return bool(self.glyphs.get(ord(char)))


class LoadedFonts:
    """A chain registered with ReportLab; splits text into runs each face can draw."""

    def __init__(self, regular: LoadedFace, bold: LoadedFace, fallbacks: tuple[LoadedFace, ...]):
        self.regular = regular
        self.bold = bold
        self.fallbacks = fallbacks

    def runs(self, text: str, *, bold: bool = False) -> list[tuple[str, str]]:
        """``text`` cut into (font name, text) runs; raises ``UnprintableCharacter``."""
        primary = self.bold if bold else self.regular
        runs: list[tuple[str, str]] = []
        for char in text:
            face = self._face_for(char, primary)
            if face is None:
                raise UnprintableCharacter(char, text)
            if runs and runs[-1][0] == face.name:
                runs[-1] = (face.name, runs[-1][1] + char)
            else:
                runs.append((face.name, char))
        return runs

    def check(self, *texts: str) -> None:
        """Refuse, before anything is issued, a text that cannot be printed."""
        for text in texts:
            self.runs(text)
            self.runs(text, bold=True)

    def _face_for(self, char: str, primary: LoadedFace) -> LoadedFace | None:
        if char == " " or primary.has(char):
            return primary
        return next((face for face in self.fallbacks if face.has(char)), None)


def default_font_chain(cache_dir: Path | None = None) -> FontChain:
    """Noto Sans SC Regular/Bold (cut and cached on first use) and any installed fallbacks."""
    cache = cache_dir or _default_cache_dir()
    source = Path(str(resources.files(VARIABLE_SOURCE[0]) / VARIABLE_SOURCE[1]))
    regular = static_instance(source, "Regular", cache)
    bold = static_instance(source, "Bold", cache)
    fallbacks = tuple(FontFile(p) for p in SYSTEM_FALLBACKS if p.exists())
    return FontChain(FontFile(regular), FontFile(bold), fallbacks)


def static_instance(source: Path, style: str, cache_dir: Path) -> Path:
    """A static TrueType cut of a variable font at a ``WEIGHTS`` style, made once and kept."""
    family = source.stem.split("[")[0]
    size = source.stat().st_size
    target = cache_dir / f"{family}-{style}-{size}-v{CACHE_FORMAT}.ttf"
    if target.exists():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    with _locked(cache_dir / ".lock"):
        if target.exists():  # another worker made it while we waited
            return target
        from fontTools.ttLib import TTFont as VariableFont
        from fontTools.varLib.instancer import instantiateVariableFont

        font = instantiateVariableFont(VariableFont(str(source)), {"wght": WEIGHTS[style]})
        _rename(font, family, style)
        handle, temporary = tempfile.mkstemp(dir=cache_dir, suffix=".tmp")
        os.close(handle)
        font.save(temporary)
        os.replace(temporary, target)
    return target


def _rename(font, family: str, style: str) -> None:
    """Give the cut its own PostScript name: PDF readers (and ReportLab) tell fonts apart by
    name, and every instance of a variable font is otherwise named after its default."""
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 2, 3, 4, 6, 16, 17):
            names.removeNames(nameID=record.nameID)
    names.setName(family, 1, 3, 1, 0x409)
    names.setName(style, 2, 3, 1, 0x409)
    names.setName(f"{family}-{style};cut", 3, 3, 1, 0x409)
    names.setName(f"{family} {style}", 4, 3, 1, 0x409)
    names.setName(f"{family}-{style}", 6, 3, 1, 0x409)


@functools.cache
def load_fonts(chain: FontChain) -> LoadedFonts:
    """Parse and register the chain's fonts with ReportLab, once per process per chain."""
    ttfonts.makeToUnicodeCMap = _to_unicode_cmap
    faces = [_load(font) for font in (chain.regular, chain.bold, *chain.fallbacks)]
    return LoadedFonts(faces[0], faces[1], tuple(faces[2:]))


def _load(font: FontFile) -> LoadedFace:
    name = f"cert-{font.path.stem}-{font.index}"
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, str(font.path), subfontIndex=font.index))
    return LoadedFace(name, pdfmetrics.getFont(name).face.charToGlyph)


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


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
