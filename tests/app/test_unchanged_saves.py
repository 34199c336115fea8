"""Every edit form saved unchanged changes nothing (issue 13, defect 1): the form is
submitted exactly as the page served it, as a browser would."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, BankVersion, Exam, Role
from tests.app.bank_admin_fixtures import admin_client, publish_small
from tests.app.exam_fixtures import open_sitting
from tests.app.form_submit import unchanged_submission
from tests.auth import login
from tests.factories import make_user


def exam_saves() -> int:
    query = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "exam.save")
    return db.session.scalar(query)


def versions() -> int:
    return db.session.scalar(select(func.count()).select_from(BankVersion))


@pytest.mark.parametrize("qid", ["s-1", "m-1", "j-1", "f-1"])
def test_a_question_saved_unchanged_publishes_no_new_version(client, ctx, qid):
    publish_small()
    admin_client(client)
    before = versions()
    path = f"/admin/banks/small/questions/{qid}/edit"
    page = client.get(path).get_data(as_text=True)
    response = client.post(path, data=unchanged_submission(page, ""))
    assert response.status_code in (200, 302)
    assert versions() == before


def test_an_exam_saved_unchanged_stays_the_same(client, ctx):
    make_user("candidate")
    exam = open_sitting().exam
    make_user("admin", role=Role.SYSTEM_ADMIN)
    login(client, "admin")
    source, saves = exam.source, exam_saves()
    path = f"/admin/exams/{exam.id}/edit"
    page = client.get(path).get_data(as_text=True)
    client.post(path, data=unchanged_submission(page, ""))
    db.session.expire_all()
    assert db.session.get(Exam, exam.id).source == source
    assert exam_saves() == saves
