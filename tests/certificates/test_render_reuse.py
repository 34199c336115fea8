"""What a worker process keeps between certificates (the frame's key band, the texts'
font runs) serves every certificate after the first, not only the first."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from certificates.fonts import UnprintableCharacter
from certificates.pdf import render_certificate
from tests.certificates.conftest import JI, content


def test_a_refused_name_is_refused_every_time(primary_only):
    for _ in range(2):
        with pytest.raises(UnprintableCharacter):
            render_certificate(content(holder_name=f"王{JI}"), primary_only)


def test_a_name_split_once_is_split_the_same_again(with_made_fallback):
    first = with_made_fallback.runs(f"王{JI}明", bold=True)
    assert [text for _, text in first] == ["王", JI, "明"]
    assert with_made_fallback.runs(f"王{JI}明", bold=True) == first


def _subpaths(pdf: bytes) -> int:
    """How many subpaths the page's content starts (``m``): the key band's keys, stars."""
    return PdfReader(io.BytesIO(pdf)).pages[0].get_contents().get_data().split().count(b"m")


def test_each_certificate_of_a_process_draws_the_whole_key_band(fonts):
    first = render_certificate(content(holder_name="李堃"), fonts)
    second = render_certificate(content(holder_name="王喆"), fonts)
    assert _subpaths(first) == _subpaths(second) > 140  # 146 keys around the page
    assert render_certificate(content(holder_name="李堃"), fonts) == first
