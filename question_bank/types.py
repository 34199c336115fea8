"""The four question types: a small registry, each type knowing how to read its answer.

Validating a candidate's response, scoring it and shuffling options live with the
types too (``scoring`` and ``assembly`` call them), so adding a type means adding one
class here. Responses always name the ORIGINAL option keys, whatever order the options
were shown in: the page maps displayed positions back before sending.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Hashable
from enum import StrEnum
from fractions import Fraction
from typing import Any, ClassVar

from ruamel.yaml.nodes import Node, SequenceNode

from question_bank.model import Question, normalize_text
from question_bank.nodes import NodeReader

BLANK = re.compile(r"_{4,}")
_KEY_SEPARATORS = re.compile(r"[\s,，、;；]+")
_JUDGE_WORDS = {
    "true": True, "对": True, "正确": True, "√": True,
    "false": False, "错": False, "错误": False, "×": False,
}  # fmt: skip


def normalize_key(text: str) -> str:
    """Option keys are read after NFKC and upper-casing: ``a`` and ``Ａ`` mean ``A``."""
    return unicodedata.normalize("NFKC", text).strip().upper()


def count_blanks(stem: str) -> int:
    return len(BLANK.findall(unicodedata.normalize("NFKC", stem)))


MAX_FILL_ANSWER = 200
_MAX_KEY = 8


class InvalidResponse(ValueError):
    """A response that cannot be an answer to the question; the message is for the user."""


class Verdict(StrEnum):
    CORRECT = "correct"
    PARTIAL = "partial"
    WRONG = "wrong"
    UNANSWERED = "unanswered"


class QuestionType:
    name: ClassVar[str]
    has_options: ClassVar[bool] = False

    def option_order(
        self, question: Question, rng: random.Random, shuffle: bool
    ) -> tuple[str, ...]:
        """Original keys in display order; a question's ``shuffle_options: false`` wins."""
        keys = tuple(key for key, _ in question.options)
        if shuffle and question.shuffle_options and len(keys) > 1:
            return tuple(rng.sample(keys, len(keys)))
        return keys

    def normalize_response(self, question: Question, raw: Any) -> Hashable | None:
        """The stored form of a response (None when unanswered); accepts its own output,
        and its JSON round trip, unchanged."""
        raise NotImplementedError

    def score(
        self, question: Question, response: Any, points: Fraction, multiple_scoring: str
    ) -> tuple[Fraction, Verdict]:
        """Points earned by an answered, normalized response."""
        raise NotImplementedError

    def read_answer(
        self, node: Node, reader: NodeReader, options: list[str], stem: str
    ) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]] | None:
        """(keys, blanks) from the ``answer`` node, or None after reporting why not."""
        raise NotImplementedError


class SingleChoice(QuestionType):
    name = "single"
    has_options = True

    def read_answer(self, node, reader, options, stem):
        text = reader.text(node, "answer")
        if text is None:
            return None
        key = normalize_key(text)
        if len(_KEY_SEPARATORS.sub("", key)) > 1:
            reader.error(
                node,
                "answer",
                f"单选题只能有一个答案，而这里是“{text}”；多个答案请把 type 改为 multiple",
            )
            return None
        if key not in options:
            reader.error(node, "answer", _not_an_option(text, options))
            return None
        return (key,), ()

    def normalize_response(self, question, raw):
        if raw is None or raw == "":
            return None
        return _option_key(question, raw)

    def score(self, question, response, points, multiple_scoring):
        return _all_or_nothing(response == question.keys[0], points)


class MultipleChoice(QuestionType):
    name = "multiple"
    has_options = True

    def read_answer(self, node, reader, options, stem):
        if isinstance(node, SequenceNode):
            texts = [reader.text(item, "answer") for item in node.value]
            if None in texts:
                return None
            keys = [normalize_key(t) for t in texts]
        else:
            text = reader.text(node, "answer")
            if text is None:
                return None
            keys = list(_KEY_SEPARATORS.sub("", normalize_key(text)))
        wrong = [k for k in keys if k not in options]
        if wrong:
            reader.error(node, "answer", _not_an_option("、".join(wrong), options))
            return None
        if len(set(keys)) != len(keys):
            reader.error(node, "answer", f"答案中有重复的选项“{''.join(keys)}”；每个选项只写一次")
            return None
        if len(keys) < 2:
            reader.error(
                node, "answer", "多选题至少要有两个正确选项；只有一个答案请把 type 改为 single"
            )
            return None
        return tuple(sorted(keys)), ()

    def normalize_response(self, question, raw):
        if raw is None:
            return None
        if not isinstance(raw, list | tuple) or len(raw) > len(question.options):
            raise InvalidResponse("多选题的答案应为若干选项组成的列表")
        keys = tuple(sorted({_option_key(question, item) for item in raw}))
        return keys or None

    def score(self, question, response, points, multiple_scoring):
        """Partial scoring: a choice of only correct keys earns the share of the points
        that it covers (two of three → 2/3); any wrong key earns nothing."""
        chosen, correct = set(response), set(question.keys)
        if chosen == correct:
            return points, Verdict.CORRECT
        if multiple_scoring == "partial" and chosen < correct:
            return points * len(chosen) / len(correct), Verdict.PARTIAL
        return Fraction(0), Verdict.WRONG


class Judge(QuestionType):
    name = "judge"

    def read_answer(self, node, reader, options, stem):
        text = reader.text(node, "answer")
        if text is None:
            return None
        value = _JUDGE_WORDS.get(unicodedata.normalize("NFKC", text).strip().lower())
        if value is None:
            reader.error(
                node,
                "answer",
                f"判断题答案应为 true 或 false（也可写 对/错、正确/错误、√/×），而不是“{text}”",
            )
            return None
        return ("true",) if value else ("false",), ()

    def normalize_response(self, question, raw):
        if raw is None or raw == "":
            return None
        if isinstance(raw, bool):
            return raw
        if raw in ("true", "false"):
            return raw == "true"
        raise InvalidResponse("判断题的答案应为 true 或 false")

    def score(self, question, response, points, multiple_scoring):
        return _all_or_nothing(response == (question.keys == ("true",)), points)


class Fill(QuestionType):
    name = "fill"

    def read_answer(self, node, reader, options, stem):
        items = reader.sequence(node, "answer")
        if items is None:
            return None
        blanks: list[tuple[str, ...]] = []
        for item in items:
            accepted = item.value if isinstance(item, SequenceNode) else [item]
            texts = [reader.text(a, "answer") for a in accepted]
            if None in texts or not texts:
                if not texts:
                    reader.error(item, "answer", "空的可接受答案列表；每个空至少写一个答案")
                return None
            blanks.append(tuple(texts))
        expected = count_blanks(stem)
        if expected == 0:
            reader.error(node, "answer", "题干中没有填空位置；请用四个或更多下划线“____”标出每个空")
            return None
        if expected != len(blanks):
            reader.error(
                node,
                "answer",
                f"题干有 {expected} 个空，答案却有 {len(blanks)} 项；每个空对应一项答案",
            )
            return None
        return (), tuple(blanks)

    def normalize_response(self, question, raw):
        if raw is None:
            return None
        if not isinstance(raw, list | tuple) or len(raw) != len(question.blanks):
            raise InvalidResponse(f"本题有 {len(question.blanks)} 个空，答案应为同样多项的列表")
        for text in raw:
            if not isinstance(text, str) or len(text) > MAX_FILL_ANSWER:
                raise InvalidResponse(f"每个空的答案应为不超过 {MAX_FILL_ANSWER} 字的文字")
            if any(unicodedata.category(c) in ("Cc", "Cs") and not c.isspace() for c in text):
                raise InvalidResponse("答案中含有不可见的控制字符；请重新输入")
        return tuple(raw) if any(text.strip() for text in raw) else None

    def score(self, question, response, points, multiple_scoring):
        """Each blank earns its share of the points (one of two right → half)."""
        right = sum(
            normalize_text(text) in {normalize_text(a) for a in accepted}
            for text, accepted in zip(response, question.blanks, strict=True)
        )
        if right == len(question.blanks):
            return points, Verdict.CORRECT
        if right:
            return points * right / len(question.blanks), Verdict.PARTIAL
        return Fraction(0), Verdict.WRONG


def _option_key(question: Question, raw: Any) -> str:
    key = normalize_key(raw) if isinstance(raw, str) and len(raw) <= _MAX_KEY else None
    if key not in {k for k, _ in question.options}:
        raise InvalidResponse("所选的不是本题的选项")
    return key


def _all_or_nothing(right: bool, points: Fraction) -> tuple[Fraction, Verdict]:
    return (points, Verdict.CORRECT) if right else (Fraction(0), Verdict.WRONG)


def _not_an_option(text: str, options: list[str]) -> str:
    return f"答案“{text}”不是本题的选项；可选的是 {'、'.join(options)}"


REGISTRY: dict[str, QuestionType] = {
    t.name: t for t in (SingleChoice(), MultipleChoice(), Judge(), Fill())
}
