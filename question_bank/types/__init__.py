"""The registry of question types: the one place that lists them.

Each type is a sub-package owning its whole slice (see ``base.QuestionType``); adding a
type is its package plus one line in ``REGISTRY``.
"""

from __future__ import annotations

from question_bank.types.base import InvalidResponse, QuestionType, Verdict
from question_bank.types.fill import Fill
from question_bank.types.judge import Judge
from question_bank.types.multiple import MultipleChoice
from question_bank.types.ordering import Ordering
from question_bank.types.single import SingleChoice

__all__ = ["REGISTRY", "InvalidResponse", "QuestionType", "Verdict"]

REGISTRY: dict[str, QuestionType] = {
    t.name: t for t in (SingleChoice(), MultipleChoice(), Judge(), Fill(), Ordering())
}
