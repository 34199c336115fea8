"""Publishing bank versions and reading them back as domain banks."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, insert, select

from app.extensions import db
from app.models import Bank, BankVersion, BankVersionItem, QuestionRevision, User
from app.models.audit import record
from question_bank.model import Bank as BankContent
from question_bank.model import Question


@dataclass(frozen=True)
class ImportResult:
    bank: str
    version: int | None
    added: int
    changed: int
    retired: int
    unchanged: int

    @property
    def published(self) -> bool:
        return self.version is not None


class BankNotFound(LookupError):
    pass


@dataclass(frozen=True)
class SourceFile:
    """The file a version is published from, kept with it byte for byte."""

    name: str
    data: bytes


def publish(
    content: BankContent,
    actor: User | None = None,
    note: str | None = None,
    source: SourceFile | None = None,
) -> ImportResult:
    """Publish ``content`` as a new version if it differs from the latest; one transaction."""
    try:
        result = _publish(content, actor, note, source)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return result


def _publish(
    content: BankContent, actor: User | None, note: str | None, source: SourceFile | None
) -> ImportResult:
    bank = db.session.scalar(select(Bank).where(Bank.name == content.name).with_for_update())
    if bank is None:
        bank = Bank(name=content.name)
        db.session.add(bank)
        db.session.flush()
    latest = _latest_version(bank.id)
    previous = _version_revisions(latest.id) if latest else {}
    if latest is not None and latest.content_hash == content.content_hash:
        return ImportResult(bank.name, None, 0, 0, 0, len(previous))
    newest = _newest_revisions(bank.id)
    revision_ids: list[int | None] = []
    fresh: list[dict] = []
    for question in content.questions:
        known = newest.get(question.id)
        if known and known[2] == question.content_hash:
            revision_ids.append(known[0])
        else:
            revision_ids.append(None)
            fresh.append(_revision_row(bank.id, question, (known[1] if known else 0) + 1))
    if fresh:
        new_ids = iter(
            db.session.scalars(
                insert(QuestionRevision).returning(
                    QuestionRevision.id, sort_by_parameter_order=True
                ),
                fresh,
            ).all()
        )
        revision_ids = [rid if rid is not None else next(new_ids) for rid in revision_ids]
    version = BankVersion(
        bank_id=bank.id,
        number=(latest.number + 1) if latest else 1,
        title=content.title,
        topics=dict(content.topics),
        content_hash=content.content_hash,
        practice=content.practice,
        published_by_id=actor.id if actor else None,
        note=note,
        source_name=source.name[:200] if source else None,
        source_data=source.data if source else None,
    )
    db.session.add(version)
    db.session.flush()
    db.session.execute(
        insert(BankVersionItem),
        [
            {"bank_version_id": version.id, "question_revision_id": rid, "position": i}
            for i, rid in enumerate(revision_ids)
        ],
    )
    keys = {q.id: rid for q, rid in zip(content.questions, revision_ids, strict=True)}
    result = ImportResult(
        bank=bank.name,
        version=version.number,
        added=sum(1 for k in keys if k not in previous),
        changed=sum(1 for k, rid in keys.items() if k in previous and previous[k] != rid),
        retired=sum(1 for k in previous if k not in keys),
        unchanged=sum(1 for k, rid in keys.items() if previous.get(k) == rid),
    )
    record(actor, "bank.publish", f"{bank.name} v{version.number}", **_counts(result), note=note)
    return result


def _counts(result: ImportResult) -> dict[str, int]:
    return {"added": result.added, "changed": result.changed, "retired": result.retired}


def _revision_row(bank_id: int, question: Question, revision: int) -> dict:
    return {
        "bank_id": bank_id,
        "question_key": question.id,
        "revision": revision,
        "content_hash": question.content_hash,
        "topic": question.topic,
        "type": question.type,
        "difficulty": question.difficulty,
        "data": question.to_dict(),
    }


def _latest_version(bank_id: int) -> BankVersion | None:
    return db.session.scalar(
        select(BankVersion)
        .where(BankVersion.bank_id == bank_id)
        .order_by(BankVersion.number.desc())
        .limit(1)
    )


def _version_revisions(version_id: int) -> dict[str, int]:
    """Question id → revision id in one version."""
    rows = db.session.execute(
        select(QuestionRevision.question_key, QuestionRevision.id)
        .join(BankVersionItem, BankVersionItem.question_revision_id == QuestionRevision.id)
        .where(BankVersionItem.bank_version_id == version_id)
    )
    return dict(rows.tuples().all())


def _newest_revisions(bank_id: int) -> dict[str, tuple[int, int, str]]:
    """Question id → (revision id, revision number, content hash) of its newest revision."""
    newest = (
        select(QuestionRevision.question_key, func.max(QuestionRevision.revision).label("revision"))
        .where(QuestionRevision.bank_id == bank_id)
        .group_by(QuestionRevision.question_key)
        .subquery()
    )
    rows = db.session.execute(
        select(
            QuestionRevision.question_key,
            QuestionRevision.id,
            QuestionRevision.revision,
            QuestionRevision.content_hash,
        )
        .join(
            newest,
            (newest.c.question_key == QuestionRevision.question_key)
            & (newest.c.revision == QuestionRevision.revision),
        )
        .where(QuestionRevision.bank_id == bank_id)
    )
    return {key: (rid, number, digest) for key, rid, number, digest in rows.tuples()}


def load_version(name: str, number: int | None = None) -> tuple[BankVersion, BankContent]:
    """A stored version (the latest by default) as a domain bank, in its file order."""
    query = select(BankVersion).join(Bank).where(Bank.name == name)
    query = (
        query.where(BankVersion.number == number)
        if number
        else query.order_by(BankVersion.number.desc())
    )
    version = db.session.scalar(query.limit(1))
    if version is None:
        raise BankNotFound(name if number is None else f"{name} v{number}")
    rows = db.session.scalars(
        select(QuestionRevision.data)
        .join(BankVersionItem, BankVersionItem.question_revision_id == QuestionRevision.id)
        .where(BankVersionItem.bank_version_id == version.id)
        .order_by(BankVersionItem.position)
    )
    questions = tuple(Question.from_dict(data) for data in rows)
    content = BankContent(
        name, version.title, tuple(version.topics.items()), questions, version.practice
    )
    return version, content


def bank_summaries() -> list[tuple[Bank, BankVersion, int]]:
    """Each bank with its latest version and that version's question count."""
    latest = (
        select(BankVersion.bank_id, func.max(BankVersion.number).label("number"))
        .group_by(BankVersion.bank_id)
        .subquery()
    )
    counts = (
        select(BankVersionItem.bank_version_id, func.count().label("n"))
        .group_by(BankVersionItem.bank_version_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Bank, BankVersion, counts.c.n)
        .join(latest, latest.c.bank_id == Bank.id)
        .join(
            BankVersion, (BankVersion.bank_id == Bank.id) & (BankVersion.number == latest.c.number)
        )
        .join(counts, counts.c.bank_version_id == BankVersion.id)
        .order_by(Bank.name)
    )
    return [tuple(row) for row in rows]
