"""Static TrueType fonts cut once per machine from the variable Noto Sans fonts.

ReportLab embeds only static TrueType (glyf) outlines, and a variable font's default
instance is Thin, so the Regular (400) and Bold (700) instances are cut with fontTools
and cached on disk, under a file lock so that parallel workers do not race. A fallback
is cut down first to the ideographs the primary font lacks (𠮷 from Noto Sans JP, 𡈼
from Noto Sans TC …), so it is small and quick to cut, and then instanced at the same
weight as the primary face it stands beside: the same design, the same stroke.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Container, Iterator
from pathlib import Path

WEIGHTS = {"Regular": 400, "Bold": 700}
CACHE_FORMAT = 2  # bump when the way instances are cut changes


def static_instance(
    source: Path, style: str, cache_dir: Path, *, only_missing_from: Path | None = None
) -> Path:
    """A static cut of a variable font at a ``WEIGHTS`` style, made once and kept.

    With ``only_missing_from`` (the primary font), the cut keeps only the CJK ideographs
    the primary lacks: a fallback for what the primary cannot print.
    """
    family = source.stem.split("[")[0]
    role = "Fallback" if only_missing_from else ""
    target = cache_dir / f"{family}{role}-{style}-{source.stat().st_size}-v{CACHE_FORMAT}.ttf"
    if target.exists():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    with _locked(cache_dir / ".lock"):
        if target.exists():  # another worker made it while we waited
            return target
        from fontTools.ttLib import TTFont
        from fontTools.varLib.instancer import instantiateVariableFont

        # Each font closed when done: one left to the garbage collector leaves its file
        # open until then (a ResourceWarning in whatever runs at that moment).
        with TTFont(str(source)) as font:
            if only_missing_from:
                with TTFont(str(only_missing_from), lazy=True) as primary:
                    present = primary.getBestCmap()
                _keep_missing_ideographs(font, present)
            with instantiateVariableFont(font, {"wght": WEIGHTS[style]}) as cut:
                _rename(cut, family + role, style)
                handle, temporary = tempfile.mkstemp(dir=cache_dir, suffix=".tmp")
                os.close(handle)
                cut.save(temporary)
        os.replace(temporary, target)
    return target


def is_ideograph(code_point: int) -> bool:
    """CJK unified ideographs (with Extension A, and B onwards) and compatibility ones."""
    return (
        0x3400 <= code_point <= 0x4DBF
        or 0x4E00 <= code_point <= 0x9FFF
        or 0xF900 <= code_point <= 0xFAFF
        or 0x20000 <= code_point <= 0x3FFFF
    )


def _keep_missing_ideographs(font, present: Container[int]) -> None:
    from fontTools import subset

    wanted = [cp for cp in font.getBestCmap() if is_ideograph(cp) and cp not in present]
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted)
    subsetter.subset(font)


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


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
