"""What every bank format shares: defaults for what a format lacks, and exports that
say what they could not hold."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from question_bank.diagnostics import Report
from question_bank.model import Bank
from question_bank.types import REGISTRY

DEFAULT_TOPIC = ("general", "综合")
_NOT_ID = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True)
class BankDefaults:
    """The bank id, title and topic used when the source does not say them."""

    bank: str = "imported"
    title: str = "导入的题库"
    topic: tuple[str, str] = DEFAULT_TOPIC


@dataclass(frozen=True)
class Dropped:
    """A question an export could not hold, and why."""

    question_id: str
    reason: str


@dataclass(frozen=True)
class Export:
    """The written file, the questions left out of it, and the fields it cannot keep."""

    data: bytes
    dropped: tuple[Dropped, ...] = ()
    lost_fields: tuple[str, ...] = field(default=())

    def summary(self) -> list[str]:
        """What a person converting should know, one line each."""
        lines = [f"未导出 {d.question_id}：{d.reason}" for d in self.dropped]
        if self.lost_fields:
            lines.append(f"此格式不保存：{'、'.join(self.lost_fields)}")
        return lines


def topic_id(title: str, known: dict[str, str]) -> str:
    """A topic id for a topic known only by its title (a Moodle category, a GIFT
    ``$CATEGORY``): its letters and digits when it has them, else ``topic-N``."""
    for topic, existing in known.items():
        if existing == title:
            return topic
    slug = _NOT_ID.sub("-", title).strip("-")[:64]
    if slug and slug not in known:
        return slug
    return f"topic-{len(known) + 1}"


@dataclass(frozen=True)
class ReadResult:
    """A bank (None on any error), its report, and the source as lines for showing errors."""

    bank: Bank | None
    report: Report
    lines: list[str]


def answer_from_text(kind: str, text: str) -> Any:
    """The YAML ``answer`` for a cell or ``答案：`` line; an unknown type passes the text
    on for the validator to name the type."""
    known = REGISTRY.get(kind)
    return known.answer_from_text(text) if known else text.strip()
