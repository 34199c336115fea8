"""Names in pinyin, so people are listed in the order Chinese readers expect (by pinyin,
not by code point) and found by their initials (李建国 → ljg) when registering.

pypinyin is imported on first use: it loads its phrase dictionary as it is imported
(0.4 s of CPU), which every process would pay at its start (each web and job process,
each ``flask`` command) though only a name's change needs it.
"""

from __future__ import annotations


def sort_key(name: str) -> str:
    """李建国 → "li jian guo"; letters and digits are kept, lower-cased."""
    from pypinyin import lazy_pinyin

    return " ".join(lazy_pinyin(name)).lower()[:300]


def initials(name: str) -> str:
    """李建国 → "ljg"."""
    from pypinyin import Style, lazy_pinyin

    return "".join(part[:1] for part in lazy_pinyin(name, style=Style.FIRST_LETTER)).lower()[:100]
