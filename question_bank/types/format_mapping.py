"""What a question type is in each import/export format (``question_bank.formats``).

Tables and papers (Excel, Word) write the answer as one line of text; GIFT and Moodle
XML say how the type is written there, or why it cannot be (None and a reason, which an
export names); Aiken holds only a type that says so. The defaults fit a type whose
answer is option keys; each type overrides what differs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from question_bank.model import Question

Escape = Callable[[str], str]
MoodleAnswers = list[tuple[str, str]]  # (fraction, text) in written order


def weight(value: float) -> str:
    """A Moodle / GIFT percentage as those tools write it: ``33.33333``, ``50``."""
    return f"{value:.5f}".rstrip("0").rstrip(".")


class FormatMapping:
    moodle_qtype: ClassVar[str | None] = None
    aiken: ClassVar[bool] = False
    gift_refusal: ClassVar[str] = ""
    moodle_refusal: ClassVar[str] = ""

    def answer_text(self, question: Question) -> str:
        """The answer as a cell or an ``答案：`` line writes it."""
        return "".join(question.keys)

    def answer_from_text(self, text: str) -> Any:
        """The YAML ``answer`` from such a text; the validator judges it."""
        return text.strip()

    def paper_claims(self, has_options: bool, answer: str) -> bool:
        """Whether a question on a Word paper without a section heading is of this type
        (types are asked in registry order)."""
        return False

    def paper_stem(self, text: str) -> str:
        """The stem from a Word paper's question line."""
        return text

    def gift_body(self, question: Question, escape: Escape, feedback: str) -> str | None:
        """The question in GIFT after its ``::id::``, or None if GIFT cannot hold it."""
        return None

    def moodle_answers(self, question: Question) -> MoodleAnswers | None:
        """The ``<answer>`` elements, or None if Moodle XML cannot hold the question."""
        return None

    def moodle_claims(self, qtype: str, positive: int) -> bool:
        """Whether a Moodle question of ``qtype`` with ``positive`` right answers is this type."""
        return qtype == self.moodle_qtype

    def moodle_stem(self, text: str) -> str:
        """The stem from a Moodle question text."""
        return text

    def from_moodle(self, answers: list[tuple[float, str]]) -> dict[str, Any]:
        """``options`` (key → text) and ``answer`` from the Moodle answers: every answer
        with a positive fraction is a key (partial credit included)."""
        options = dict(zip("ABCDEFGHIJKLMNOP", (text for _, text in answers), strict=False))
        keys = [key for key, (fraction, _) in zip(options, answers, strict=False) if fraction > 0]
        return {"options": options, "answer": keys if len(keys) > 1 else "".join(keys)}
