"""Finding questions that may give each other away, for a reviewer to decide.

Two signs are looked for: a stem that quotes another question's key text (an option
that is a key, the true options of a "不属于……的是" question, a fill answer), and a
judge statement that settles another question (its words are largely found in that
question's stem and explanation, or it opens with the same subject as another judge
statement). Both are heuristics: the report lists candidates, ``excludes`` records
the verdict.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from question_bank.model import Bank, Question, normalize_text

MIN_KEY_TEXT = 8
MIN_COVERAGE = 0.45
MIN_SHARED_OPENING = 6
_NOISE = re.compile(r"[\s\W_]+")
_NEGATIVE_STEM = re.compile("不属于|不是|不正确|错误的|不包括|不符合")


@dataclass(frozen=True)
class Leak:
    """``giver``'s stem may give away the answer to ``taker``."""

    giver: str
    taker: str
    reason: str
    marked: bool


@dataclass(frozen=True)
class _Prepared:
    """What the comparisons need of one question, computed once."""

    question: Question
    stem: str
    stem_grams: frozenset[str]
    context_grams: frozenset[str]
    key_texts: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, question: Question) -> _Prepared:
        return cls(
            question,
            _clean(question.stem),
            _grams(question.stem),
            _grams(f"{question.stem}{question.explanation or ''}"),
            tuple(
                (text, _clean(text))
                for text in _key_texts(question)
                if len(_clean(text)) >= MIN_KEY_TEXT
            ),
        )


def find_leaks(bank: Bank) -> list[Leak]:
    """Likely pairs, unmarked ones first, each pair once."""
    prepared = [_Prepared.of(q) for q in bank.questions]
    rarity = Counter(gram for p in prepared for gram in p.stem_grams)
    weight = {gram: 1 / count for gram, count in rarity.items()}
    exclusions = bank.exclusions
    found: dict[frozenset[str], Leak] = {}
    for giver in prepared:
        for taker in prepared:
            pair = frozenset((giver.question.id, taker.question.id))
            if taker is giver or pair in found:
                continue
            reason = _reason(giver, taker, weight)
            if reason:
                gid, tid = giver.question.id, taker.question.id
                marked = tid in exclusions.get(gid, frozenset())
                found[pair] = Leak(gid, tid, reason, marked)
    return sorted(found.values(), key=lambda leak: leak.marked)


def _reason(giver: _Prepared, taker: _Prepared, weight: dict[str, float]) -> str | None:
    tid = taker.question.id
    for text, clean in taker.key_texts:
        if clean in giver.stem:
            return f"题干含有 {tid} 的答案文字“{text}”"
    if giver.question.type != "judge":
        return None
    if _coverage(giver.stem_grams, taker.context_grams, weight) >= MIN_COVERAGE:
        return f"判断题陈述与 {tid} 的题干和解析大部分相同，可能判定其答案"
    if (
        taker.question.type == "judge"
        and _shared_opening(giver.stem, taker.stem) >= MIN_SHARED_OPENING
    ):
        return f"两道判断题陈述同一主语“{giver.stem[:MIN_SHARED_OPENING]}”，一题可能判定另一题"
    return None


def _key_texts(question: Question) -> list[str]:
    """Texts that state the answer: key options (the non-key ones when the stem asks
    which is NOT so), or the accepted fill answers."""
    if question.options:
        negative = bool(_NEGATIVE_STEM.search(question.stem))
        return [text for key, text in question.options if (key in question.keys) != negative]
    return [text for accepted in question.blanks for text in accepted]


def _coverage(statement: frozenset[str], other: frozenset[str], weight: dict[str, float]) -> float:
    """Share of the statement's character pairs found in ``other``, rare pairs weighing more."""
    total = sum(weight[g] for g in statement)
    return sum(weight[g] for g in statement & other) / total if total else 0.0


def _shared_opening(a: str, b: str) -> int:
    length = 0
    while length < min(len(a), len(b)) and a[length] == b[length]:
        length += 1
    return length


def _clean(text: str) -> str:
    return _NOISE.sub("", normalize_text(text))


def _grams(text: str) -> frozenset[str]:
    text = _clean(text)
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))
