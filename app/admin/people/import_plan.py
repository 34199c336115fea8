"""A checked import set against the people already there: who is new, who changes and
how, who is unchanged, and which rows conflict.

A row is the person already known by its 工号 (their ``employee_number``) or its
身份证号. A cell left empty keeps what is stored (an import never blanks a field);
roles, usernames and a stored 身份证号 never change by import (a different one means
a different person, so the row conflicts). The plan's ``fingerprint`` sums up what
confirming it would do, so a confirm applies exactly what the admin saw in the preview.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from app.admin.access import manages
from app.admin.people.identity import mask_id_number
from app.admin.people.importing import Candidate
from app.extensions import db
from app.labels import label
from app.models import User
from question_bank.echo import quoted

# The stored fields an import row may change, in the order the preview lists them.
UPDATABLE = (
    "name", "unit_id", "employee_number", "id_number", "current_position", "position", "phone",
    "birth_date",
)  # fmt: skip
CHUNK = 500  # keys per IN list, under SQLite's parameter limit


@dataclass(frozen=True)
class FieldChange:
    field: str  # a User attribute named in UPDATABLE
    before: str | int | date | None
    after: str | int | date


@dataclass(frozen=True)
class Update:
    row: int
    person: User
    changes: tuple[FieldChange, ...]


@dataclass
class Plan:
    new: list[Candidate] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    unchanged: list[tuple[int, User]] = field(default_factory=list)  # (row, person)
    conflicts: list[tuple[int, str]] = field(default_factory=list)

    @property
    def people(self) -> list[User]:
        """The existing people of the file, changed or not (new ones have no id yet)."""
        return [u.person for u in self.updates] + [person for _, person in self.unchanged]

    def fingerprint(self) -> str:
        """What confirming would do, given the stored data now: equal fingerprints, equal
        effects."""
        summary = [
            [[c.row, c.username] for c in self.new],
            [[u.row, u.person.id, [[c.field, c.before, c.after] for c in u.changes]]
             for u in self.updates],
            [[row, person.id] for row, person in self.unchanged],
        ]  # fmt: skip
        text = json.dumps(summary, default=str, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def shown(name: str, value: object, unit_paths: dict[int, str]) -> str:
    """A stored value as the preview and the audit log show it (identity numbers masked)."""
    if value is None or value == "":
        return "—"
    if name == "unit_id":
        return unit_paths.get(value, str(value))
    if name == "id_number":
        return mask_id_number(str(value))
    return str(value)


def field_title(name: str) -> str:
    return label(name, "field")


def plan_import(candidates: list[Candidate], actor: User) -> Plan:
    """Sort the checked rows into new, changed, unchanged and conflicting."""
    known = _Known(candidates)
    plan = Plan()
    first_row: dict[int, int] = {}  # person id -> the row that first named them
    for c in candidates:
        by_number = known.by_number.get(c.employee_number) if c.employee_number else None
        by_id = known.by_id.get(c.id_number) if c.id_number else None
        person = by_number or by_id
        if by_number and by_id and by_number is not by_id:
            plan.conflicts.append((c.row, _two_people(by_number, by_id, actor)))
        elif person is None:
            clash = known.by_username.get(c.username.lower())
            if clash is not None:
                plan.conflicts.append((c.row, f"已有用户使用工号或用户名{quoted(c.username)}"))
            else:
                plan.new.append(c)
        elif not manages(actor, person):
            key = "工号" if by_number else "身份证号"
            plan.conflicts.append((c.row, (
                f"此行的{key}属于您管理范围以外的人员，不能通过导入更新其信息；"
                "请核对后删去此行，或请系统管理员导入"
            )))  # fmt: skip
        elif person.id in first_row:
            plan.conflicts.append(
                (c.row, f"与第 {first_row[person.id]} 行是同一人员（{person.name}），请合并为一行")
            )
        else:
            first_row[person.id] = c.row
            problem, changes = _changes(c, person, known)
            if problem:
                plan.conflicts.append((c.row, problem))
            elif changes:
                plan.updates.append(Update(c.row, person, changes))
            else:
                plan.unchanged.append((c.row, person))
    return plan


def _who(person: User, actor: User) -> str:
    """A person named only to an admin who manages them."""
    if manages(actor, person):
        return f"{person.name}（用户名 {person.username}）"
    return "您管理范围以外的一位人员"


def _two_people(by_number: User, by_id: User, actor: User) -> str:
    return (
        f"工号属于{_who(by_number, actor)}，身份证号却属于另一位人员"
        f"{_who(by_id, actor)}，无法判断要更新哪一位；请核对此行的工号和身份证号"
    )


def _changes(c: Candidate, person: User, known: _Known) -> tuple[str | None, tuple]:
    """The fields this row changes; empty cells keep the stored value."""
    changes = []
    for name in UPDATABLE:
        after = getattr(c, name)
        before = getattr(person, name)
        if after is None or after == before:
            continue
        if name == "id_number" and before is not None:
            return (
                f"工号对应的{person.name}登记的身份证号与此行不同；身份证号不能通过导入修改，"
                "请核对是否为同一人"
            ), ()
        if name == "employee_number":
            holder = known.by_username.get(after.lower())
            if holder is not None and holder is not person:
                return f"工号{quoted(after)}已是另一位用户的用户名，不能改给{person.name}", ()
        changes.append(FieldChange(name, before, after))
    return None, tuple(changes)


class _Known:
    """The stored people whom a row's 工号, 身份证号 or username names, looked up at once."""

    def __init__(self, candidates: list[Candidate]) -> None:
        self.by_number: dict[str, User] = {}
        self.by_id: dict[str, User] = {}
        self.by_username: dict[str, User] = {}
        numbers = sorted({c.employee_number for c in candidates if c.employee_number})
        ids = sorted({c.id_number for c in candidates if c.id_number})
        usernames = sorted({c.username.lower() for c in candidates} | {n.lower() for n in numbers})
        for name, values, index in (
            ("employee_number", numbers, self.by_number),
            ("id_number", ids, self.by_id),
        ):
            column = getattr(User, name)
            for start in range(0, len(values), CHUNK):
                found = self._load(column.in_(values[start : start + CHUNK]))
                index.update((getattr(u, name), u) for u in found)
        for start in range(0, len(usernames), CHUNK):
            found = self._load(func.lower(User.username).in_(usernames[start : start + CHUNK]))
            self.by_username.update((u.username.lower(), u) for u in found)

    @staticmethod
    def _load(condition) -> list[User]:
        return list(db.session.scalars(select(User).where(condition)))
