"""What every question type answers for: the contract of one type's whole slice.

A type owns its answer in the bank YAML (reading, validating, writing back), the order
its options are shown in, the candidate's response (from JSON and from a posted form),
its scoring, the right answer and a response in words, its item-statistics categories,
its editor field and its template partials and script (files beside its module). The
rest of the system asks the registry (``question_bank.types``) and never names a type.

Responses always name the ORIGINAL option keys, whatever order the options were shown
in: the page maps displayed positions back before sending.
"""

from __future__ import annotations

import inspect
import random
import re
import string
from collections.abc import Hashable, Mapping, Sequence
from enum import StrEnum
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ruamel.yaml.nodes import Node, SequenceNode

from question_bank.nodes import NodeReader
from question_bank.text import normalize_key
from question_bank.types.format_mapping import FormatMapping

if TYPE_CHECKING:
    from question_bank.model import Question

ALL_OR_NOTHING = "all_or_nothing"
PARTIAL = "partial"
MAX_KEY = 8
KEY_SEPARATORS = re.compile(r"[\s,，、;；]+")

KeysAndBlanks = tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]
Choice = tuple[str, str, str]  # (original key, displayed letter, text)


class InvalidResponse(ValueError):
    """A response that cannot be an answer to the question; the message is for the user."""


class Verdict(StrEnum):
    CORRECT = "correct"
    PARTIAL = "partial"
    WRONG = "wrong"
    UNANSWERED = "unanswered"


class QuestionType(FormatMapping):
    """One question type; subclasses override what differs from the defaults (options
    picked by key, lettered in display order)."""

    name: ClassVar[str]
    title: ClassVar[str]  # 单选题: section headings, filters, forms
    short_title: ClassVar[str]  # 单选: badges in lists
    editor_hint: ClassVar[str]  # how the bank editor's answer field is written
    stem_hint: ClassVar[str] = ""  # what the type asks of the stem, for the editor
    has_options: ClassVar[bool] = False
    scoring_modes: ClassVar[tuple[str, ...]] = (ALL_OR_NOTHING,)
    scoring_titles: ClassVar[Mapping[str, str]] = {}  # mode → the rule in words (rules page)

    # Files beside the type's module: templates/<part>.html, static/<name>.js and .css.

    @classmethod
    def directory(cls) -> Path:
        return Path(inspect.getfile(cls)).parent

    def template(self, part: str) -> str:
        """The name under which the web layer's loader finds this type's partial."""
        return f"qtypes/{self.name}/{part}.html"

    def asset(self, suffix: str) -> Path | None:
        """The type's ``static/<name>.js`` or ``.css``, if it has one."""
        path = self.directory() / "static" / f"{self.name}.{suffix}"
        return path if path.exists() else None

    # Scoring modes an exam chooses from: the first is the default.

    @property
    def default_scoring(self) -> str:
        return self.scoring_modes[0]

    @property
    def scoring_choosable(self) -> bool:
        return len(self.scoring_modes) > 1

    # The bank YAML.

    def read_answer(
        self, node: Node, reader: NodeReader, options: list[str], stem: str
    ) -> KeysAndBlanks | None:
        """(keys, blanks) from the ``answer`` node, or None after reporting why not."""
        raise NotImplementedError

    def answer_value(self, question: Question) -> Any:
        """The ``answer`` field as written in YAML and stored (``Question.to_dict``)."""
        raise NotImplementedError

    def keys_from_answer(self, answer: Any) -> KeysAndBlanks:
        """The inverse of ``answer_value``, trusting the stored shape."""
        raise NotImplementedError

    def check_question(
        self, question: Question, fields: Mapping[str, tuple[Node, Node]], reader: NodeReader
    ) -> bool:
        """Rules across fields that the answer alone cannot see; False after reporting
        why the question is refused (default: no such rules)."""
        return True

    # Display.

    def option_order(
        self, question: Question, rng: random.Random, shuffle: bool
    ) -> tuple[str, ...]:
        """Original keys in display order; a question's ``shuffle_options: false`` wins."""
        keys = tuple(key for key, _ in question.options)
        if shuffle and question.shuffle_options and len(keys) > 1:
            return tuple(rng.sample(keys, len(keys)))
        return keys

    def stem_parts(self, question: Question) -> list[str]:
        """The stem split where the type puts inputs inside it (default: not split)."""
        return [question.stem]

    def choices(self, question: Question, order: Sequence[str] | None = None) -> list[Choice]:
        """What the candidate picks from, in display order, lettered by position."""
        texts = dict(question.options)
        shown = order or [key for key, _ in question.options]
        return [
            (key, letter, texts[key])
            for letter, key in zip(string.ascii_uppercase, shown, strict=False)
        ]

    # Responses.

    def normalize_response(self, question: Question, raw: Any) -> Hashable | None:
        """The stored form of a response (None when unanswered); accepts its own output,
        and its JSON round trip, unchanged."""
        raise NotImplementedError

    def response_from_form(self, values: list[str]) -> Any:
        """The raw response from the values a posted form holds under the item's name."""
        picked = [v for v in values if v.strip()]
        return picked[0] if picked else None

    def score(
        self, question: Question, response: Any, points: Fraction, mode: str
    ) -> tuple[Fraction, Verdict]:
        """Points earned by an answered, normalized response under the exam's ``mode``."""
        raise NotImplementedError

    # In words.

    def answer_words(self, question: Question, order: Sequence[str] | None = None) -> str:
        """The right answer as a person reads it, lettered as shown in ``order``."""
        return self.response_words(question, self.key_response(question), order)

    def key_response(self, question: Question) -> Any:
        """The right answer in the shape of a stored response."""
        raise NotImplementedError

    def response_words(
        self, question: Question, response: Any, order: Sequence[str] | None = None
    ) -> str:
        """A stored response as a person reads it."""
        chosen = chosen_keys(response)
        shown = self.choices(question, order)
        return "；".join(f"{letter}．{text}" for key, letter, text in shown if key in chosen)

    # Item statistics.

    stat_headings: ClassVar[tuple[str, str]] = ("选项", "选择次数")

    def stat_categories(self, question: Question) -> list[tuple[str, str, str, bool]]:
        """(category, label, text, is the answer) counted over responses; default: the
        options in their written order."""
        keys = chosen_keys(self.key_response(question))
        return [(key, label, text, key in keys) for key, label, text in self.choices(question)]

    def stat_chosen(self, question: Question, response: Any) -> tuple[str, ...]:
        """The categories one stored response falls in."""
        return tuple(sorted(chosen_keys(response)))

    # The bank editor's answer field.

    def editor_answer(self, question: Question) -> str:
        return "".join(question.keys)

    def answer_from_editor(self, text: str) -> Any:
        return text.strip()


def answer_keys(
    node: Node, reader: NodeReader, spelling: dict[int, str] | None = None
) -> list[str] | None:
    """Option keys of an ``answer`` written as a list ``[A, C]`` or a string ``ACD`` /
    ``A,C,D`` (``spelling`` maps further separators away), or None after reporting why."""
    if isinstance(node, SequenceNode):
        texts = [reader.text(item, "answer") for item in node.value]
        if None in texts:
            return None
        return [normalize_key(t) for t in texts]
    text = reader.text(node, "answer")
    if text is None:
        return None
    return list(KEY_SEPARATORS.sub("", normalize_key(text).translate(spelling or {})))


def chosen_keys(response: Any) -> set[str]:
    if response is None:
        return set()
    if isinstance(response, bool):
        return {"true" if response else "false"}
    return {response} if isinstance(response, str) else set(response)


def letters_in(answer: str) -> int:
    """How many option letters a paper's answer line holds: one for single, more for multiple."""
    return len(re.findall(r"[A-Za-z]", answer))


def option_key(question: Question, raw: Any) -> str:
    key = normalize_key(raw) if isinstance(raw, str) and len(raw) <= MAX_KEY else None
    if key not in {k for k, _ in question.options}:
        raise InvalidResponse("所选的不是本题的选项")
    return key


def all_or_nothing(right: bool, points: Fraction) -> tuple[Fraction, Verdict]:
    return (points, Verdict.CORRECT) if right else (Fraction(0), Verdict.WRONG)


def share(right: int, of: int, points: Fraction) -> tuple[Fraction, Verdict]:
    """``right`` of ``of`` parts earn their share of the points."""
    if right == of:
        return points, Verdict.CORRECT
    if right:
        return points * right / of, Verdict.PARTIAL
    return Fraction(0), Verdict.WRONG


def not_an_option(text: str, options: list[str]) -> str:
    return f"答案“{text}”不是本题的选项；可选的是 {'、'.join(options)}"
