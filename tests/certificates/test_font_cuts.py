"""Cutting a static instance of a variable font (certificates/font_cuts.py)."""

from __future__ import annotations

import gc
import warnings
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from certificates.font_cuts import static_instance
from tests.certificates.conftest import JI, make_font

TING = "丁"


@pytest.mark.parametrize("fallback", [False, True], ids=["primary", "fallback"])
def test_a_cut_leaves_no_font_file_open(tmp_path: Path, fallback: bool):
    """On a machine's first certificate the fonts are cut; a font file left open until the
    garbage collector came failed whatever test it met (a ResourceWarning, CI27)."""
    source = tmp_path / "Var[wght].ttf"
    make_font(source, JI + TING, weight_axis=True)
    primary = tmp_path / "Primary.ttf"
    make_font(primary, TING)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always", ResourceWarning)
        cut = static_instance(
            source, "Bold", tmp_path / "cache", only_missing_from=primary if fallback else None
        )
        gc.collect()
    assert [str(w.message) for w in seen if w.category is ResourceWarning] == []
    with TTFont(str(cut)) as font:
        assert "fvar" not in font  # static
        assert set(font.getBestCmap()) == ({ord(JI)} if fallback else {ord(JI), ord(TING)})
