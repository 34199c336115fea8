"""What a practice page shows of a question: options under display letters, and answers in words.

Options are shown in the run's stored order under the letters A, B, C … of their
position, while the form sends the original keys (as ``validate_response`` expects).
The correct answer is only worked out for an answered item, so it never reaches the
page before the candidate has answered.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any

from question_bank.model import TYPE_TITLES, Question

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
    chosen = _chosen_keys(response)
    correct = set(question.keys) if answered else set()
    if question.type == "judge":
        # Judge answers are shown as two choices; the form sends "true" or "false".
        options = tuple(
            ShownOption("", key, text, key in chosen, key in correct)
            for key, text in (("true", "正确"), ("false", "错误"))
        )
    else:
        texts = dict(question.options)
        order = option_order or [key for key, _ in question.options]
        options = tuple(
            ShownOption(letter, key, texts[key], key in chosen, key in correct)
            for letter, key in zip(string.ascii_uppercase, order, strict=False)
        )
    if not answered:
        return ShownQuestion(question, TYPE_TITLES[question.type], options)
    return ShownQuestion(
        question,
        TYPE_TITLES[question.type],
        options,
        correct_answer=_describe(question, options, _key_response(question)),
        given_answer=_describe(question, options, response) if response is not None else None,
    )


def _key_response(question: Question) -> Any:
    """The correct answer in the shape of a stored response."""
    if question.type == "judge":
        return question.keys == ("true",)
    if question.type == "fill":
        return [" / ".join(accepted) for accepted in question.blanks]
    return list(question.keys)


def _describe(question: Question, options: tuple[ShownOption, ...], response: Any) -> str:
    if question.type == "judge":
        return "正确" if response else "错误"
    if question.type == "fill":
        texts = list(response)
        if len(texts) == 1:
            return texts[0]
        return "；".join(f"第 {i} 空：{text}" for i, text in enumerate(texts, start=1))
    chosen = _chosen_keys(response)
    return "；".join(f"{o.letter}．{o.text}" for o in options if o.key in chosen)


def _chosen_keys(response: Any) -> set[Any]:
    if response is None:
        return set()
    if isinstance(response, bool):
        return {"true" if response else "false"}
    return {response} if isinstance(response, str) else set(response)
