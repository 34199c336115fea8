"""Names, unit names and usernames: normalized, printable, and told apart.

Text is NFKC-normalized, trimmed and its inner spaces collapsed. Refused: control and
format characters (zero-width, bidi overrides), private-use, unassigned and surrogate
code points, line breaks, and emoji and other symbols, none of which belongs in a name
and several of which make two accounts look identical. Look-alikes that remain (a
Cyrillic "а" for a Latin "a", "ADMIN" beside "admin") are found by comparing Unicode
confusable skeletons, from the ``confusable_homoglyphs`` data, and reported as a
warning: real people may share a name.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import cache

from app.refusal import Refused

REFUSED_CATEGORIES = {
    "Cc": "控制字符",
    "Cf": "不可见的格式字符（如零宽字符、文字方向控制符）",
    "Co": "私用区字符",
    "Cn": "未定义的字符",
    "Cs": "代理码位",
    "Zl": "换行符",
    "Zp": "换段符",
    "So": "表情符号或图形符号",
    "Sk": "修饰符号",
    "Me": "组合符号",
}
EMOJI_SELECTORS = {"\ufe0e", "\ufe0f"}


class NameRefused(Refused):
    """A name or username with a character that cannot be in one."""


def _problem(char: str) -> str | None:
    if char in EMOJI_SELECTORS:
        return "表情符号或图形符号"
    return REFUSED_CATEGORIES.get(unicodedata.category(char))


def clean_name(text: str, what: str = "姓名") -> str:
    """The name as stored: NFKC, trimmed, single spaces; NameRefused if unprintable."""
    normalized = " ".join(unicodedata.normalize("NFKC", text).split(" "))
    normalized = " ".join(part for part in normalized.split(" ") if part)
    for char in normalized:
        problem = _problem(char)
        if problem:
            shown = f"U+{ord(char):04X}"
            raise NameRefused(f"{what}中有{problem}（{shown}），请删除后重试")
    return normalized


def clean_username(text: str) -> str:
    """A username as stored: a clean name without spaces."""
    username = clean_name(text.strip(), "用户名")
    if " " in username:
        raise NameRefused("用户名中不能有空格")
    return username


@cache
def _prototypes() -> dict[str, str]:
    """Each confusable character mapped to one representative of its class."""
    from confusable_homoglyphs.confusables import confusables_data

    mapping: dict[str, str] = {}
    for char, entries in confusables_data.items():
        group = [char, *(entry["c"] for entry in entries if len(entry["c"]) == 1)]
        mapping[char] = min(group, key=lambda c: (not c.isascii(), c))
    return mapping


def skeleton(text: str) -> str:
    """What the text looks like: equal skeletons read alike on screen."""
    prototypes = _prototypes()
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(prototypes.get(char, char) for char in folded if not char.isspace())


class LookAlikes:
    """Known texts by skeleton, so that many new ones are checked in one pass."""

    def __init__(self, known: Iterable[str] = ()) -> None:
        self._by_skeleton: dict[str, set[str]] = {}
        for text in known:
            self.add(text)

    def add(self, text: str) -> None:
        self._by_skeleton.setdefault(skeleton(text), set()).add(text)

    def of(self, text: str) -> list[str]:
        """Known texts that look like ``text`` without being it."""
        return sorted(self._by_skeleton.get(skeleton(text), set()) - {text})


def look_alike_warning(what: str, text: str, others: list[str]) -> str | None:
    if not others:
        return None
    shown = "、".join(f"“{other}”" for other in others[:3])
    return f"{what}“{text}”与已有的{shown}看起来相同，请确认不是同一人或误填"
