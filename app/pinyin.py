"""Names in pinyin, so people are listed in the order Chinese readers expect (by pinyin,
not by code point) and found by their initials (李建国 → ljg) when registering."""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin


def sort_key(name: str) -> str:
    """李建国 → "li jian guo"; letters and digits are kept, lower-cased."""
    return " ".join(lazy_pinyin(name)).lower()[:300]


def initials(name: str) -> str:
    """李建国 → "ljg"."""
    return "".join(part[:1] for part in lazy_pinyin(name, style=Style.FIRST_LETTER)).lower()[:100]
