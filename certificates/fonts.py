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
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

VARIABLE_SOURCE = ("justmytype_intl_cjk", "fonts/ofl/notosanssc/NotoSansSC[wght].ttf")
SYSTEM_FALLBACKS = (
    Path("/usr/share/fonts/truetype/hanazono/HanaMinA.ttf"),
    Path("/usr/share/fonts/truetype/hanazono/HanaMinB.ttf"),
)
WEIGHTS = {"regular": 400, "bold": 700}


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
    codepoints: frozenset[int]


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
        if char.isspace() or ord(char) in primary.codepoints:
            return primary
        return next((f for f in self.fallbacks if ord(char) in f.codepoints), None)


def default_font_chain(cache_dir: Path | None = None) -> FontChain:
    """Noto Sans SC Regular/Bold (cut and cached on first use) and any installed fallbacks."""
    cache = cache_dir or _default_cache_dir()
    source = Path(str(resources.files(VARIABLE_SOURCE[0]) / VARIABLE_SOURCE[1]))
    regular = static_instance(source, WEIGHTS["regular"], cache)
    bold = static_instance(source, WEIGHTS["bold"], cache)
    fallbacks = tuple(FontFile(p) for p in SYSTEM_FALLBACKS if p.exists())
    return FontChain(FontFile(regular), FontFile(bold), fallbacks)


def static_instance(source: Path, weight: int, cache_dir: Path) -> Path:
    """A static TrueType cut of a variable font at ``weight``, made once and kept."""
    stat = source.stat()
    target = cache_dir / f"{source.stem.split('[')[0]}-{weight}-{stat.st_size}.ttf"
    if target.exists():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    with _locked(cache_dir / ".lock"):
        if target.exists():  # another worker made it while we waited
            return target
        from fontTools.ttLib import TTFont as VariableFont
        from fontTools.varLib.instancer import instantiateVariableFont

        font = instantiateVariableFont(VariableFont(str(source)), {"wght": weight})
        handle, temporary = tempfile.mkstemp(dir=cache_dir, suffix=".tmp")
        os.close(handle)
        font.save(temporary)
        os.replace(temporary, target)
    return target


@functools.cache
def load_fonts(chain: FontChain) -> LoadedFonts:
    """Parse and register the chain's fonts with ReportLab, once per process per chain."""
    faces = [_load(font) for font in (chain.regular, chain.bold, *chain.fallbacks)]
    return LoadedFonts(faces[0], faces[1], tuple(faces[2:]))


def _load(font: FontFile) -> LoadedFace:
    name = f"cert-{font.path.stem}-{font.index}"
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, str(font.path), subfontIndex=font.index))
    face = pdfmetrics.getFont(name).face
    # Glyph 0 is .notdef, the empty box: a code point mapped to it is not really there.
    return LoadedFace(name, frozenset(cp for cp, glyph in face.charToGlyph.items() if glyph))


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
