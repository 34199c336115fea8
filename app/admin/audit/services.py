"""Querying the audit log: filters in the admin's local calendar, newest first."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import AuditEntry, User

ACTION_TITLES = {
    "attempt.finalize": "交卷",
    "attempt.open_keys": "提前查看答卷正确答案",
    "attempt.rescore": "重新评分",
    "bank.publish": "发布题库",
    "certificate.issue": "颁发证书",
    "certificate.refused": "证书未颁发",
    "certificate.revoke": "撤销证书",
    "certificate.reissue": "换发证书",
}


@dataclass(frozen=True)
class Filters:
    action: str = ""
    actor: str = ""
    date_from: date | None = None
    date_to: date | None = None


def actions() -> list[str]:
    """Every action that occurs in the log, for the filter's choices."""
    return list(
        db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action))
    )


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), ZoneInfo(current_app.config["TIMEZONE"]))


def entries(filters: Filters) -> Select:
    """Entries matching the filters; dates are whole local days, both ends included."""
    query = (
        select(AuditEntry)
        .options(selectinload(AuditEntry.actor))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.actor:
        needle = filters.actor.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        people = select(User.id).where(
            or_(
                User.username.ilike(f"%{needle}%", escape="\\"),
                User.name.ilike(f"%{needle}%", escape="\\"),
            )
        )
        query = query.where(AuditEntry.actor_id.in_(people))
    if filters.date_from:
        query = query.where(AuditEntry.at >= _local_midnight(filters.date_from))
    if filters.date_to:
        query = query.where(AuditEntry.at < _local_midnight(filters.date_to + timedelta(days=1)))
    return query


def detail_lines(details: dict[str, Any]) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(before, after, other) details, each value as readable text."""

    def text(value: Any) -> str:
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)

    def flat(value: Any) -> dict[str, str]:
        return (
            {k: text(v) for k, v in value.items()} if isinstance(value, dict) else {"": text(value)}
        )

    before = flat(details["before"]) if "before" in details else {}
    after = flat(details["after"]) if "after" in details else {}
    other = {k: text(v) for k, v in details.items() if k not in ("before", "after")}
    return before, after, other
