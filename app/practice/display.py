"""What a practice page shows of a question: options under display letters, and answers in words.

Options are shown in the run's stored order under the letters A, B, C … of their
position, while the form sends the original keys (as ``validate_response`` expects).
The correct answer is only worked out for an answered item, so it never reaches the
page before the candidate has answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from question_bank.model import Question
from question_bank.types import REGISTRY
from question_bank.types.base import chosen_keys

VERDICT_TITLES = {"correct": "回答正确", "partial": "部分正确", "wrong": "回答错误"}


@dataclass(frozen=True)
class ShownOption:
    letter: str
    key: str
    text: str
    chosen: bool = False
    correct: bool = False


@dataclass(frozen=True)
class ShownQuestion:
    question: Question
    type_title: str
    options: tuple[ShownOption, ...]
    correct_answer: str | None = None
    given_answer: str | None = None

    @property
    def choices(self) -> list[tuple[str, str, str]]:
        """The options as (key, letter, text), the shape type partials take."""
        return [(o.key, o.letter, o.text) for o in self.options]

    @property
    def lettered(self) -> bool:
        """Options listed under letters (not, say, 正确/错误)."""
        return any(o.letter for o in self.options)

    @property
    def explanation(self) -> str | None:
        return self.question.explanation if self.correct_answer else None

    @property
    def source(self) -> str | None:
        return self.question.source if self.correct_answer else None


def show(
    data: dict[str, Any], option_order: list[str] | None, answered: bool, response: Any = None
) -> ShownQuestion:
    """A stored revision's data as a page shows it; keys only when ``answered``."""
    question = Question.from_dict(data)
    kind = REGISTRY[question.type]
    chosen = chosen_keys(response)
    correct = chosen_keys(kind.key_response(question)) if answered else set()
    options = tuple(
        ShownOption(letter, key, text, key in chosen, key in correct)
        for key, letter, text in kind.choices(question, option_order)
    )
    if not answered:
        return ShownQuestion(question, kind.title, options)
    return ShownQuestion(
        question,
        kind.title,
        options,
        correct_answer=kind.answer_words(question, option_order),
        given_answer=(
            kind.response_words(question, response, option_order) if response is not None else None
        ),
    )
