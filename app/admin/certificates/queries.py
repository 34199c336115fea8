"""Reading certificates for the list: filtered by state on a given day, title and text."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Certificate


def certificate_list(text: str, status: str, title: str, today: date) -> Select:
    query = (
        select(Certificate)
        .options(selectinload(Certificate.holder))
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    )
    if text:
        like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(
                Certificate.number.ilike(like, escape="\\"),
                Certificate.holder_name.like(like, escape="\\"),
            )
        )
    if title:
        query = query.where(Certificate.title == title)
    if status == "revoked":
        query = query.where(Certificate.revoked_at.is_not(None))
    elif status == "expired":
        query = query.where(Certificate.revoked_at.is_(None), Certificate.expires_on < today)
    elif status == "valid":
        query = query.where(Certificate.revoked_at.is_(None), Certificate.expires_on >= today)
    return query


def titles() -> list[str]:
    return list(
        db.session.scalars(select(Certificate.title).distinct().order_by(Certificate.title))
    )
