"""How texts are compared: one rule shared by the bank validator and every question type."""

from __future__ import annotations

import unicodedata


def normalize_text(text: str) -> str:
    """The form in which answers are compared: NFKC, trimmed, inner white space collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def normalize_key(text: str) -> str:
    """Option keys are read after NFKC and upper-casing: ``a`` and ``Ａ`` mean ``A``."""
    return unicodedata.normalize("NFKC", text).strip().upper()
