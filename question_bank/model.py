"""The bank and its questions as typed, immutable values."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from question_bank.text import normalize_text
from question_bank.types import REGISTRY

__all__ = ["QUESTION_TYPES", "TYPE_TITLES", "Bank", "Question", "normalize_text"]

QUESTION_TYPES = tuple(REGISTRY)
TYPE_TITLES = {name: kind.title for name, kind in REGISTRY.items()}


@dataclass(frozen=True)
class Question:
    """One revision of a question.

    ``keys`` and ``blanks`` hold the right answer in the shape its type reads and
    writes (``question_bank.types``): option keys, or the accepted texts of each blank.
    """

    id: str
    type: str
    topic: str
    stem: str
    difficulty: int = 3
    options: tuple[tuple[str, str], ...] = ()
    keys: tuple[str, ...] = ()
    blanks: tuple[tuple[str, ...], ...] = ()
    explanation: str | None = None
    source: str | None = None
    tags: tuple[str, ...] = ()
    shuffle_options: bool = True
    excludes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The YAML shape of the question; also its canonical form for hashing and storage."""
        data: dict[str, Any] = {
            "id": self.id,
            "type": self.type,
            "topic": self.topic,
            "difficulty": self.difficulty,
            "stem": self.stem,
        }
        if self.options:
            data["options"] = dict(self.options)
        data["answer"] = REGISTRY[self.type].answer_value(self)
        for name in ("explanation", "source"):
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        if self.tags:
            data["tags"] = list(self.tags)
        if not self.shuffle_options:
            data["shuffle_options"] = False
        if self.excludes:
            data["excludes"] = list(self.excludes)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Question:
        """Rebuild from ``to_dict`` output (as stored in the database), trusting its shape."""
        keys, blanks = REGISTRY[data["type"]].keys_from_answer(data["answer"])
        return cls(
            id=data["id"],
            type=data["type"],
            topic=data["topic"],
            stem=data["stem"],
            difficulty=data["difficulty"],
            options=tuple(data.get("options", {}).items()),
            keys=keys,
            blanks=blanks,
            explanation=data.get("explanation"),
            source=data.get("source"),
            tags=tuple(data.get("tags", ())),
            shuffle_options=data.get("shuffle_options", True),
            excludes=tuple(data.get("excludes", ())),
        )

    @property
    def content_hash(self) -> str:
        return _digest(self.to_dict())


@dataclass(frozen=True)
class Bank:
    """A whole bank as read from one file or one stored version."""

    name: str
    title: str
    topics: tuple[tuple[str, str], ...]
    questions: tuple[Question, ...] = field(default=())
    practice: bool = True  # False: exam-only, its questions are never practised

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"bank": self.name, "title": self.title}
        if not self.practice:
            data["practice"] = False
        data["topics"] = dict(self.topics)
        data["questions"] = [q.to_dict() for q in self.questions]
        return data

    @property
    def content_hash(self) -> str:
        return _digest(self.to_dict())

    @property
    def exclusions(self) -> dict[str, frozenset[str]]:
        """Question id → the ids it must never share a paper with. ``excludes`` is
        symmetric: naming a pair on either side is enough."""
        return exclusion_map(self.questions)


def exclusion_map(questions: tuple[Question, ...]) -> dict[str, frozenset[str]]:
    """The symmetric closure of every question's ``excludes``."""
    partners: dict[str, set[str]] = {}
    for question in questions:
        for other in question.excludes:
            partners.setdefault(question.id, set()).add(other)
            partners.setdefault(other, set()).add(question.id)
    return {qid: frozenset(ids) for qid, ids in partners.items()}


def _digest(data: Any) -> str:
    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
