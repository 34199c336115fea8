"""The result page's certificate box, line by line: what the page renders, and what the
status answer carries once a pass's certificates are ready, so that the waiting page
fills its box in place instead of loading the whole result page again (issue 12: that
second result page, once per pass at a close, was the web's largest avoidable cost)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from flask import url_for
from sqlalchemy import bindparam, select

from app.database import request_connection
from app.models import Certificate

DOWNLOAD_WORDS = "下载证书（PDF）"
PDF_FAILED = "证书文件生成遇到问题，系统会自动重试；如长时间无法下载，请联系管理员。"
PDF_BEING_MADE = "证书正在生成，请稍后刷新。"


class Shown(Protocol):
    """What the box reads of a certificate: a loaded row or the columns of one."""

    id: int
    title: str
    level: str | None
    number: str
    pdf_ready: bool
    pdf_failures: int


@dataclass(frozen=True)
class BoxLine:
    """One certificate as the box shows it: the sentence, then its link or a note."""

    title: str
    level: str | None
    number: str
    text: str  # 已颁发…，编号 …。
    download_url: str | None  # once its PDF is stored
    download_words: str | None
    note: str | None  # instead of the link: the PDF failed, or is being made


def box_line(certificate: Shown) -> BoxLine:
    """The line of one certificate, its link only once its PDF is stored."""
    c = certificate
    text = f"已颁发{c.title}{f'（{c.level}）' if c.level else ''}，编号 {c.number}。"
    if c.pdf_ready:
        url = url_for("certificate.download", certificate_id=c.id)
        return BoxLine(c.title, c.level, c.number, text, url, DOWNLOAD_WORDS, None)
    note = PDF_FAILED if c.pdf_failures else PDF_BEING_MADE
    return BoxLine(c.title, c.level, c.number, text, None, None, note)


# The box's columns only (not the PDF's bytes), in the order the page lists them.
_SHOWN = (
    select(
        Certificate.id, Certificate.title, Certificate.level, Certificate.number,
        Certificate.pdf_ready.label("pdf_ready"), Certificate.pdf_failures,
    )
    .where(
        Certificate.attempt_id == bindparam("attempt_id"),
        Certificate.user_id == bindparam("user_id"),  # the candidate's own, twice checked
        Certificate.revoked_at.is_(None),
    )
    .order_by(Certificate.id)
)  # fmt: skip


def shown_lines(attempt_id: int, user_id: int) -> list[dict]:
    """The box's lines as the status answer carries them, once a pass's are ready: read on
    the poll's own connection (``request_connection``), as the poll's other statement, so
    that this last poll of every pass at a close begins no transaction either (on
    PostgreSQL a BEGIN and a ROLLBACK more, each a round trip)."""
    rows = request_connection().execute(_SHOWN, {"attempt_id": attempt_id, "user_id": user_id})
    return [vars(box_line(row)) for row in rows]
