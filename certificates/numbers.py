"""Certificate numbers: readable, unique per (type, year, sequence), ending in check characters.

A number reads ``RQ-2026-000123-4K``: the certificate type's prefix, the year of issue, a
sequence within that type and year, and two check characters computed with ISO/IEC 7064
MOD 1271-36. That pure system catches every single-character substitution and every swap
of two adjacent characters, so a number typed by hand with one slip is reported as
*mistyped*, not as *unknown*, and the verify page can say so without a database look-up.
(The one-character systems fall short: the hybrid MOD 37,36 misses some swaps such as
``12`` → ``21``, and the pure MOD 37-2 needs ``*`` as a check character.)
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_RADIX = len(ALPHABET)
_MODULUS = 1271
PREFIX = re.compile(r"[A-Z]{2,4}")
SEQUENCE_DIGITS = 6
MAX_SEQUENCE = 999_999_999
_SHAPE = re.compile(r"([A-Z]{2,4})-?([0-9]{4})-?([0-9]{6,9})-?([0-9A-Z]{2})")
# Dashes people paste from word processors and IMEs; NFKC leaves these alone.
_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−ー－﹣"), "-")


class InvalidNumber(ValueError):
    """A text that is not a valid certificate number; ``str()`` is a message for the user."""


class MalformedNumber(InvalidNumber):
    """Not shaped like a certificate number at all."""


class MistypedNumber(InvalidNumber):
    """Shaped like a number, but the check characters disagree: a slip of the keyboard."""


@dataclass(frozen=True)
class ParsedNumber:
    prefix: str
    year: int
    sequence: int
    check: str

    @property
    def text(self) -> str:
        """The canonical spelling, as printed and stored."""
        return f"{self.prefix}-{self.year:04d}-{self.sequence:0{SEQUENCE_DIGITS}d}-{self.check}"


def format_number(prefix: str, year: int, sequence: int) -> str:
    """The canonical number for a type prefix, year of issue and sequence (from 1)."""
    if not PREFIX.fullmatch(prefix):
        raise ValueError(f"证书类型前缀“{prefix}”应为 2 到 4 个大写字母")
    if not 1000 <= year <= 9999:
        raise ValueError(f"年份 {year} 应为四位数")
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise ValueError(f"序号 {sequence} 应在 1 到 {MAX_SEQUENCE} 之间")
    body = f"{prefix}{year:04d}{sequence:0{SEQUENCE_DIGITS}d}"
    return ParsedNumber(prefix, year, sequence, check_characters(body)).text


def parse_number(text: str) -> ParsedNumber:
    """Read a number as a person may type it: any case, spaces, full-width characters."""
    cleaned = normalize(text)
    match = _SHAPE.fullmatch(cleaned)
    if match is None:
        raise MalformedNumber(
            f"“{text.strip()}”不是证书编号；编号形如 RQ-2026-000123-4K（类型字母-年份-序号-两位校验码）"
        )
    prefix, year, sequence, check = match.groups()
    if _remainder(prefix + year + sequence + check) != 1:
        raise MistypedNumber(
            f"编号“{cleaned}”的校验码不符，可能有字符输错或前后颠倒；请对照证书仔细核对后重新输入"
        )
    return ParsedNumber(prefix, int(year), int(sequence), check)


def normalize(text: str) -> str:
    """NFKC, upper case, one kind of dash, no white space."""
    folded = unicodedata.normalize("NFKC", text).translate(_DASHES).upper()
    return "".join(folded.split())


def check_characters(body: str) -> str:
    """The two ISO/IEC 7064 MOD 1271-36 check characters for ``body`` (``ALPHABET`` only)."""
    value = (1 - _remainder(body) * _RADIX * _RADIX) % _MODULUS
    high, low = divmod(value, _RADIX)
    return ALPHABET[high] + ALPHABET[low]


def _remainder(text: str) -> int:
    """The text read as a base-36 number, modulo 1271; a number with its checks gives 1."""
    value = 0
    for char in text:
        value = (value * _RADIX + ALPHABET.index(char)) % _MODULUS
    return value
