"""Confirming an import plan: create the new people, update the changed ones, optionally
register them all for a sitting, in one transaction, audited.

An update changes a row only while it still holds the values the preview showed as
"before", so two admins confirming at once, or an edit made between preview and
confirm, can never be overwritten unseen: the import stops and is previewed again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from app.admin.people.accounts import add_candidates
from app.admin.people.identity import mask_id_number
from app.admin.people.import_plan import Plan, Update
from app.admin.people.registrations import register_many
from app.extensions import db
from app.models import Sitting, User
from app.models.audit import record
from app.pinyin import initials, sort_key
from app.refusal import Refused


class ImportClash(Refused):
    """Someone else changed some of these people while this import ran."""


class ImportStale(ImportClash):
    """A person changed between the preview and the confirm: preview again."""


STALE = "预览之后，部分人员的信息已被修改（可能是另一位管理员刚刚导入或编辑过），本次未做任何更改。请核对下面重新生成的预览后再确认。"  # fmt: skip
CLASH = (
    "导入未执行：这些人员刚刚已由另一次确认导入（同一文件可能被确认了两次），"
    "或其中有人刚被别人添加。请到人员列表查看；如还需补充，请重新上传文件。"
)


@dataclass(frozen=True)
class Outcome:
    created: list[tuple[User, str]]  # (person, initial password)
    updated: int
    unchanged: int
    registered: int


def apply_import(plan: Plan, actor: User, filename: str, sitting: Sitting | None = None) -> Outcome:
    """All of the plan or nothing; raises ``ImportStale`` or ``ImportClash``."""
    try:
        created = add_candidates(plan.new)
        for change in plan.updates:
            _update(change, actor, filename)
        db.session.flush()
        people = [user for user, _ in created] + plan.people
        registered = register_many(sitting, people, actor) if sitting else 0
        details = {"created": len(created), "updated": len(plan.updates),
                   "unchanged": len(plan.unchanged),
                   "rows": len(plan.new) + len(plan.people)}  # fmt: skip
        if sitting:
            details |= {"session": sitting.title, "registered": registered}
        record(actor, "people.import", filename, **details)
        db.session.commit()
    except ImportStale:
        db.session.rollback()
        raise
    except IntegrityError:  # the same file confirmed twice at once: the other one won
        db.session.rollback()
        raise ImportClash(CLASH) from None
    return Outcome(created, len(plan.updates), len(plan.unchanged), registered)


def _update(change: Update, actor: User, filename: str) -> None:
    """Set the new values where the old ones still stand, and log which fields changed."""
    column = {c.field: getattr(User, c.field) for c in change.changes}
    still = [
        column[c.field].is_(None) if c.before is None else column[c.field] == c.before
        for c in change.changes
    ]
    values = {c.field: c.after for c in change.changes}
    if "name" in values:  # kept by the model's validator, which a bulk UPDATE bypasses
        values |= {"name_pinyin": sort_key(values["name"]), "name_initials": initials(values["name"])}  # fmt: skip
    result = db.session.execute(
        update(User).where(User.id == change.person.id, *still).values(**values)
    )
    if result.rowcount != 1:
        raise ImportStale(STALE)
    record(
        actor, "person.import_update", change.person.username, file=filename,
        before={c.field: _logged(c.field, c.before) for c in change.changes},
        after={c.field: _logged(c.field, c.after) for c in change.changes},
    )  # fmt: skip


def _logged(name: str, value: object) -> object:
    """Values as the audit log keeps them: JSON, identity numbers masked."""
    if name == "id_number" and value:
        return mask_id_number(str(value))
    if isinstance(value, date):
        return value.isoformat()
    return value
