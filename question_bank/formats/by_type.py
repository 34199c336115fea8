"""Each question type's mapping to the formats, one small class per type.

Tables and papers (Excel, Word) write an answer as one line of text: ``A``, ``ACD``,
正确 / 错误, or one entry per blank separated by ``；`` with alternatives by ``|``.
GIFT and Moodle XML each say how the type is written there, or why it cannot be
(``None`` and a reason, which the export names). The format modules ask ``MAPPINGS``
and never name a type; when question types become one module each, each class here
moves into its type's module as that type's format methods.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, ClassVar

from question_bank.model import Question
from question_bank.types.fill import BLANK

_BLANK_SEPARATOR = re.compile(r"[；;]")
_ALTERNATIVE_SEPARATOR = re.compile(r"[|｜]")
Escape = Callable[[str], str]
MoodleAnswers = list[tuple[str, str]]  # (fraction, text) in written order


def weight(value: float) -> str:
    """A Moodle / GIFT percentage as those tools write it: ``33.33333``, ``50``."""
    return f"{value:.5f}".rstrip("0").rstrip(".")


class TypeMapping:
    """What a type is in each format; the defaults fit a type whose answer is keys."""

    name: ClassVar[str]
    moodle_qtype: ClassVar[str | None] = None
    aiken: ClassVar[bool] = False
    gift_refusal: ClassVar[str] = ""
    moodle_refusal: ClassVar[str] = ""

    def answer_text(self, question: Question) -> str:
        return "".join(question.keys)

    def answer_from_text(self, text: str) -> Any:
        return text.strip()

    def gift_body(self, question: Question, escape: Escape, feedback: str) -> str | None:
        """The question in GIFT after its ``::id::``, or None if GIFT cannot hold it."""
        return None

    def moodle_answers(self, question: Question) -> MoodleAnswers | None:
        """The ``<answer>`` elements, or None if Moodle cannot hold the question."""
        return None

    def moodle_claims(self, qtype: str, positive: int) -> bool:
        """Whether a Moodle question of ``qtype`` with ``positive`` right answers is this type."""
        return qtype == self.moodle_qtype

    def moodle_stem(self, text: str) -> str:
        """The stem from a Moodle question text."""
        return text

    def from_moodle(self, answers: list[tuple[float, str]]) -> dict[str, Any]:
        """``options`` (key → text) and ``answer`` from the Moodle answers."""
        options = dict(zip("ABCDEFGHIJKLMNOP", (text for _, text in answers), strict=False))
        keys = [key for key, (fraction, _) in zip(options, answers, strict=False) if fraction > 0]
        return {"options": options, "answer": keys if len(keys) > 1 else "".join(keys)}


class SingleMapping(TypeMapping):
    name = "single"
    moodle_qtype = "multichoice"
    aiken = True

    def gift_body(self, question, escape, feedback):
        answers = " ".join(
            f"{'=' if key in question.keys else '~'}{escape(text)}"
            for key, text in question.options
        )
        return f"{escape(question.stem)} {{{answers}{feedback}}}"

    def moodle_answers(self, question):
        return [("100" if key in question.keys else "0", text) for key, text in question.options]

    def moodle_claims(self, qtype, positive):
        return qtype == self.moodle_qtype and positive <= 1


class MultipleMapping(TypeMapping):
    name = "multiple"
    moodle_qtype = "multichoice"

    def gift_body(self, question, escape, feedback):
        share = weight(100 / len(question.keys))
        answers = " ".join(
            f"~%{share if key in question.keys else '-100'}%{escape(text)}"
            for key, text in question.options
        )
        return f"{escape(question.stem)} {{{answers}{feedback}}}"

    def moodle_answers(self, question):
        share = weight(100 / len(question.keys))
        return [(share if key in question.keys else "-100", text) for key, text in question.options]

    def moodle_claims(self, qtype, positive):
        return qtype == self.moodle_qtype and positive > 1


class JudgeMapping(TypeMapping):
    name = "judge"
    moodle_qtype = "truefalse"

    def answer_text(self, question):
        return "正确" if question.keys == ("true",) else "错误"

    def gift_body(self, question, escape, feedback):
        return f"{escape(question.stem)} {{{'T' if question.keys == ('true',) else 'F'}{feedback}}}"

    def moodle_answers(self, question):
        right = question.keys == ("true",)
        return [("100" if right else "0", "true"), ("0" if right else "100", "false")]

    def from_moodle(self, answers):
        right = [text.lower() for fraction, text in answers if fraction > 0]
        return {"answer": right[0] if len(right) == 1 else ""}


class FillMapping(TypeMapping):
    name = "fill"
    moodle_qtype = "shortanswer"
    gift_refusal = "GIFT 一道题只能有一个填空，本题有多个空"
    moodle_refusal = "Moodle 简答题只有一个空，本题有多个空"

    def answer_text(self, question):
        return "；".join("|".join(accepted) for accepted in question.blanks)

    def answer_from_text(self, text):
        blanks = []
        for entry in _BLANK_SEPARATOR.split(text):
            accepted = [a.strip() for a in _ALTERNATIVE_SEPARATOR.split(entry) if a.strip()]
            blanks.append(accepted[0] if len(accepted) == 1 else accepted)
        return blanks

    def gift_body(self, question, escape, feedback):
        """The answers stand where the blank is: ``自2019年{=5月6日 =5月6号}起施行。``"""
        if len(question.blanks) != 1:
            return None
        answers = " ".join(f"={escape(a)}" for a in question.blanks[0])
        blank = BLANK.search(question.stem)
        before, after = question.stem[: blank.start()], question.stem[blank.end() :]
        return f"{escape(before)}{{{answers}{feedback}}}{escape(after)}"

    def moodle_answers(self, question):
        if len(question.blanks) != 1:
            return None
        return [("100", text) for text in question.blanks[0]]

    def moodle_stem(self, text):
        """A Moodle short answer usually has no blank in its text: one goes at the end."""
        return text if BLANK.search(text) else f"{text}____"

    def from_moodle(self, answers):
        """Only full-mark answers are accepted texts."""
        return {"answer": [[text for fraction, text in answers if fraction >= 100]]}


MAPPINGS: dict[str, TypeMapping] = {
    m.name: m for m in (SingleMapping(), MultipleMapping(), JudgeMapping(), FillMapping())
}


def answer_from_text(kind: str, text: str) -> Any:
    """The YAML ``answer`` for ``text``; an unknown type passes it on for the validator."""
    mapping = MAPPINGS.get(kind)
    return mapping.answer_from_text(text) if mapping else text.strip()


def answer_to_text(question: Question) -> str:
    return MAPPINGS[question.type].answer_text(question)
