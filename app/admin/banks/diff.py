"""What changed between two states of a bank: added, changed (field by field) and
retired questions, and changes to the bank's title and topics."""

from __future__ import annotations

from dataclasses import dataclass, field

from question_bank.model import TYPE_TITLES, Bank, Question
from question_bank.types import REGISTRY

FIELD_TITLES = {
    "type": "题型",
    "topic": "主题",
    "difficulty": "难度",
    "stem": "题干",
    "options": "选项",
    "answer": "答案",
    "explanation": "解析",
    "source": "出处",
    "tags": "标签",
    "shuffle_options": "打乱选项",
    "excludes": "互斥题",
}


@dataclass(frozen=True)
class FieldChange:
    title: str
    old: str
    new: str


@dataclass(frozen=True)
class ChangedQuestion:
    old: Question
    new: Question
    fields: list[FieldChange]


@dataclass(frozen=True)
class BankDiff:
    added: list[Question] = field(default_factory=list)
    changed: list[ChangedQuestion] = field(default_factory=list)
    retired: list[Question] = field(default_factory=list)
    bank_fields: list[FieldChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.retired or self.bank_fields)


def diff_banks(old: Bank | None, new: Bank) -> BankDiff:
    """``old`` None means a bank published for the first time: everything is added."""
    if old is None:
        return BankDiff(added=list(new.questions))
    before = {q.id: q for q in old.questions}
    after = {q.id: q for q in new.questions}
    changed = [
        ChangedQuestion(before[q.id], q, question_changes(before[q.id], q))
        for q in new.questions
        if q.id in before and before[q.id].content_hash != q.content_hash
    ]
    bank_fields = [
        FieldChange(title, shown_old, shown_new)
        for title, shown_old, shown_new in (
            ("题库名称", old.title, new.title),
            ("主题", _topics(old), _topics(new)),
        )
        if shown_old != shown_new
    ]
    return BankDiff(
        added=[q for q in new.questions if q.id not in before],
        changed=changed,
        retired=[q for q in old.questions if q.id not in after],
        bank_fields=bank_fields,
    )


def question_changes(old: Question, new: Question) -> list[FieldChange]:
    before, after = shown_fields(old), shown_fields(new)
    return [
        FieldChange(FIELD_TITLES[name], before[name], after[name])
        for name in FIELD_TITLES
        if before[name] != after[name]
    ]


def shown_fields(question: Question) -> dict[str, str]:
    """Each field of a question as text a person reads."""
    return {
        "type": TYPE_TITLES[question.type],
        "topic": question.topic,
        "difficulty": str(question.difficulty),
        "stem": question.stem,
        "options": "\n".join(f"{key}. {text}" for key, text in question.options),
        "answer": REGISTRY[question.type].answer_words(question),
        "explanation": question.explanation or "",
        "source": question.source or "",
        "tags": "、".join(question.tags),
        "shuffle_options": "是" if question.shuffle_options else "否（保持原顺序）",
        "excludes": "、".join(question.excludes),
    }


def _topics(bank: Bank) -> str:
    return "\n".join(f"{key}: {title}" for key, title in bank.topics)
