"""Reading a bank's questions for the admin pages, and publishing edits made in the browser.

Every edit publishes a new immutable version through ``app.bank.services.publish`` (which
audits it), and only if the bank is still at the version the editor saw: an edit made
against an older version would silently undo someone else's.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import func, select

from app.admin.banks.drafts import DraftResult, check_bank, check_draft
from app.bank.services import BankNotFound, ImportResult, SourceFile, load_version, publish
from app.exam.display import ItemView
from app.extensions import db
from app.models import Bank, BankVersion, BankVersionItem, QuestionRevision, User
from app.refusal import Refused
from question_bank.model import Bank as BankContent
from question_bank.model import Question, normalize_text
from question_bank.types import REGISTRY
from question_bank.yaml_revision import revise_yaml

PAGE_SIZE = 50


@dataclass(frozen=True)
class QuestionRow:
    question: Question
    retired: bool


@dataclass(frozen=True)
class QuestionFilter:
    text: str = ""
    topic: str = ""
    type: str = ""
    difficulty: str = ""
    status: str = ""
    tag: str = ""

    def keeps(self, row: QuestionRow) -> bool:
        q = row.question
        return (
            (not self.text or normalize_text(self.text) in normalize_text(q.stem))
            and (not self.topic or q.topic == self.topic)
            and (not self.type or q.type == self.type)
            and (not self.difficulty or str(q.difficulty) == self.difficulty)
            and (not self.status or self.status == ("retired" if row.retired else "current"))
            and (not self.tag or self.tag in q.tags)
        )


@dataclass(frozen=True)
class Page:
    rows: list[QuestionRow]
    number: int
    pages: int
    total: int


@dataclass(frozen=True)
class Published:
    """What an edit published (``outcome.version`` is None when nothing changed)."""

    outcome: ImportResult
    warnings: list[str]


class StaleVersion(Exception):
    """The bank moved on since the editor loaded it."""

    def __init__(self, seen: int, latest: int) -> None:
        super().__init__(f"题库已被他人更新：您看到的是第 {seen} 版，现在是第 {latest} 版")
        self.seen, self.latest = seen, latest


class EditRefused(Refused):
    """The validator found problems; ``errors`` maps form field names to messages."""


def bank_questions(name: str) -> tuple[BankVersion, BankContent, list[QuestionRow]]:
    """The latest version's questions, then those retired in an earlier version (newest
    revision of each)."""
    version, content = load_version(name)
    current = {q.id for q in content.questions}
    rows = [QuestionRow(q, False) for q in content.questions]
    seen: set[str] = set()
    retired = db.session.scalars(
        select(QuestionRevision)
        .where(QuestionRevision.bank_id == version.bank_id)
        .where(QuestionRevision.question_key.not_in(current))
        .order_by(QuestionRevision.question_key, QuestionRevision.revision.desc())
    )
    for revision in retired:
        if revision.question_key not in seen:
            seen.add(revision.question_key)
            rows.append(QuestionRow(Question.from_dict(revision.data), True))
    return version, content, rows


def page_of(rows: list[QuestionRow], wanted: QuestionFilter, number: int) -> Page:
    kept = [row for row in rows if wanted.keeps(row)]
    pages = max(1, math.ceil(len(kept) / PAGE_SIZE))
    number = min(max(1, number), pages)
    return Page(kept[(number - 1) * PAGE_SIZE : number * PAGE_SIZE], number, pages, len(kept))


def find_row(rows: list[QuestionRow], qid: str) -> QuestionRow | None:
    return next((row for row in rows if row.question.id == qid), None)


def create_question(name: str, seen: int, draft: dict[str, Any], actor: User) -> Published:
    return _revise(
        name,
        seen,
        actor,
        lambda content: check_draft(content, draft),
        f"网页新增题目 {draft['id']}",
    )


def edit_question(name: str, seen: int, qid: str, draft: dict[str, Any], actor: User) -> Published:
    """``draft['id']`` is taken from the page's address, never the form: ids are stable."""
    draft = draft | {"id": qid}
    return _revise(
        name, seen, actor, lambda content: check_draft(content, draft, qid), f"网页修改题目 {qid}"
    )


def retire_question(name: str, seen: int, qid: str, actor: User) -> Published:
    def without(content: BankContent) -> DraftResult:
        if qid not in {q.id for q in content.questions}:
            raise BankNotFound(f"{name} {qid}")
        kept = tuple(
            replace(q, excludes=tuple(e for e in q.excludes if e != qid))
            for q in content.questions
            if q.id != qid
        )
        bank, errors = check_bank(replace(content, questions=kept))
        return DraftResult(bank, None, {"": errors} if errors else {})

    return _revise(name, seen, actor, without, f"网页停用题目 {qid}")


def _revise(
    name: str,
    seen: int,
    actor: User,
    change: Callable[[BankContent], DraftResult],
    note: str,
) -> Published:
    """Check and publish one change, holding the bank's row lock from check to commit."""
    try:
        db.session.scalar(select(Bank).where(Bank.name == name).with_for_update())
        version, content = load_version(name)
        if version.number != seen:
            raise StaleVersion(seen, version.number)
        result = change(content)
        if result.bank is None:
            raise EditRefused(errors=result.errors)
        source = revised_source(version, content, result.bank)
    except BaseException:
        db.session.rollback()
        raise
    return Published(publish(result.bank, actor, note, source), result.warnings)


def revised_source(version: BankVersion, old: BankContent, new: BankContent) -> SourceFile | None:
    """The version's YAML file with the edit applied, comments kept; None when the
    version has no YAML file (then the new version's YAML is written from its content)."""
    if not version.source_name or not is_yaml_name(version.source_name):
        return None
    revised = revise_yaml(version.source_data or b"", old, new)
    return SourceFile(version.source_name, revised) if revised is not None else None


def is_yaml_name(filename: str) -> bool:
    return filename.lower().endswith((".yaml", ".yml"))


@dataclass(frozen=True)
class VersionRow:
    version: BankVersion
    publisher: str | None
    questions: int


def version_history(name: str) -> list[VersionRow]:
    """Every version of a bank, newest first, with who published it and its size."""
    counts = (
        select(BankVersionItem.bank_version_id, func.count().label("n"))
        .group_by(BankVersionItem.bank_version_id)
        .subquery()
    )
    rows = db.session.execute(
        select(BankVersion, User.name, counts.c.n)
        .join(Bank)
        .join(counts, counts.c.bank_version_id == BankVersion.id)
        .outerjoin(User, User.id == BankVersion.published_by_id)
        .where(Bank.name == name)
        .order_by(BankVersion.number.desc())
    ).all()
    if not rows:
        raise BankNotFound(name)
    return [VersionRow(version, publisher, n) for version, publisher, n in rows]


def preview_item(question: Question) -> ItemView:
    """The question as a candidate's test page shows it: options in their written order."""
    kind = REGISTRY[question.type]
    return ItemView(
        position=0,
        number=1,
        type=question.type,
        stem_parts=kind.stem_parts(question),
        options=kind.choices(question),
        response=None,
        flagged=False,
    )


def all_tags(rows: list[QuestionRow]) -> list[str]:
    return sorted({tag for row in rows for tag in row.question.tags})
