"""The rules an attempt keeps from the exam as it began: a later edit of the exam changes
nothing for attempts already started.

An attempt stores them as JSON; ``AttemptPolicy`` is the one reader and writer of that
dict, so no other module reads it by string keys. Dicts stored by earlier versions still
read: scoring kept under ``multiple`` alone, no time limit, no list of avoided questions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from question_bank.exam import PassMark, ReviewPolicy, ScoringPolicy


@dataclass(frozen=True)
class SectionPolicy:
    """One section of the paper as drawn: its title, question type and points per item."""

    title: str
    type: str
    points: Decimal


@dataclass(frozen=True)
class AttemptPolicy:
    sections: tuple[SectionPolicy, ...]
    scoring: ScoringPolicy  # scoring modes by type, and the pass mark
    review: ReviewPolicy
    time_limit_minutes: int | None  # None: begun before the limit was kept (use the exam's)
    avoid: tuple[str, ...] = ()  # question ids left out because the previous attempt had them
    max_page_leaves: int = 0  # leaving the test page more often flags the attempt; 0: no limit

    def over_leave_limit(self, leaves: int) -> bool:
        """Left the test page more often than the exam allows: flagged for the admins."""
        return 0 < self.max_page_leaves < leaves

    @property
    def pass_mark(self) -> PassMark:
        return self.scoring.pass_mark

    @classmethod
    def from_stored(cls, stored: Mapping[str, Any]) -> AttemptPolicy:
        mark = stored["pass_mark"]
        review = stored.get("review") or {}
        limit = stored.get("time_limit_minutes")
        return cls(
            sections=tuple(
                SectionPolicy(s["title"], s["type"], Decimal(s["points"]))
                for s in stored["sections"]
            ),
            scoring=ScoringPolicy.from_stored(
                stored, PassMark(Decimal(mark["value"]), bool(mark["percent"]))
            ),
            review=ReviewPolicy(**review),
            time_limit_minutes=int(limit) if limit is not None else None,
            avoid=tuple(stored.get("avoid", ())),
            max_page_leaves=int(stored.get("max_page_leaves", 0)),
        )

    def stored(self) -> dict[str, Any]:
        """The dict an attempt stores (JSON: decimals as strings)."""
        return {
            "scoring": self.scoring.stored(),
            "time_limit_minutes": self.time_limit_minutes,
            "pass_mark": {"value": str(self.pass_mark.value), "percent": self.pass_mark.percent},
            "review": {"show": self.review.show, "when": self.review.when},
            "sections": [
                {"title": s.title, "type": s.type, "points": str(s.points)} for s in self.sections
            ],
            "avoid": sorted(self.avoid),
            # kept only when set, so a policy without a limit is stored as before
            **({"max_page_leaves": self.max_page_leaves} if self.max_page_leaves else {}),
        }
