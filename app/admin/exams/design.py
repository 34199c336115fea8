"""Help while designing an exam: what the bank's latest version holds against what the
exam's rules draw, and a sample paper drawn as a new attempt would be, without one.

Both read the bank's latest published version, the one a session created now would pin.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select

from app.exam.catalog import version_index
from app.exam.display import ItemView, SectionView
from app.extensions import db
from app.models import Bank, BankVersion
from question_bank.assembly import UnsatisfiableExam, draw_paper
from question_bank.coverage import Coverage, coverage
from question_bank.exam import Exam
from question_bank.model import TYPE_TITLES
from question_bank.types import REGISTRY

SEED_BITS = 62  # as an attempt's seed


@dataclass(frozen=True)
class Sample:
    """One paper as a candidate would see it, each item with its key for the admin."""

    seed: int
    version: BankVersion
    sections: list[SectionView]
    topics: dict[str, str]

    @property
    def question_count(self) -> int:
        return sum(len(section.items) for section in self.sections)


def latest_version(bank_name: str | None) -> BankVersion | None:
    if not bank_name:
        return None
    return db.session.scalar(
        select(BankVersion)
        .join(Bank)
        .where(Bank.name == bank_name)
        .order_by(BankVersion.number.desc())
        .limit(1)
    )


def bank_coverage(bank_name: str | None, exam: Exam | None) -> tuple[BankVersion, Coverage] | None:
    """The latest version of the bank and its counts, against ``exam`` if it draws from it."""
    version = latest_version(bank_name)
    if version is None:
        return None
    bank = version_index(version.id).bank
    return version, coverage(bank, exam if exam is not None and exam.bank == bank.name else None)


def new_seed() -> int:
    return secrets.randbits(SEED_BITS)


def sample_paper(exam: Exam, seed: int) -> Sample:
    """Draw one paper from the latest bank version; raises ``LookupError`` without a
    published version and ``UnsatisfiableExam`` when the bank is short."""
    version = latest_version(exam.bank)
    if version is None:
        raise LookupError(exam.bank)
    indexed = version_index(version.id)
    paper = draw_paper(exam, indexed.index, seed)
    sections, number = [], 0
    for section in paper.sections:
        view = SectionView(section.title, TYPE_TITLES[section.type], str(section.points), [])
        for item in section.items:
            question, kind = item.question, REGISTRY[item.question.type]
            view.items.append(
                ItemView(
                    number, number + 1, question.type, kind.stem_parts(question),
                    kind.choices(question, item.option_order), None, False,
                    review={"answer": kind.answer_words(question, item.option_order),
                     "explanation": question.explanation, "source": question.source,
                     "id": question.id, "topic": question.topic,
                     "difficulty": question.difficulty},
                )
            )  # fmt: skip
            number += 1
        sections.append(view)
    return Sample(seed, version, sections, dict(indexed.bank.topics))


def try_sample(exam: Exam, seed: int) -> tuple[Sample | None, list[str]]:
    """A sample paper, or why none can be drawn, in words."""
    try:
        return sample_paper(exam, seed), []
    except LookupError:
        return None, [f"题库 {exam.bank} 还没有发布的版本"]
    except UnsatisfiableExam as short:
        return None, [f"{s.section}：{s}" for s in short.shortfalls]
