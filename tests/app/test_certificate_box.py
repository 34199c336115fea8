"""The status answer of a pass once its certificates are ready carries what the result
page's certificate box shows (issue 12), so that the waiting page fills the box instead of
loading the whole result page again: only the candidate's own certificates, only once
ready, and the "not ready" answer, polled tens of thousands of times at a close, asks the
database nothing more than before."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from app.certificate.services import issue_for_attempt
from app.extensions import db
from app.models import Attempt, Certificate
from app.models.types import utcnow
from tests.app.certificate_fixtures import COMPETENCY, open_sitting, setup_exams, take
from tests.app.sql_seen import statements
from tests.auth import login
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("signing", "fresh_catalog")


def scored_passes(monkeypatch, *usernames: str) -> list[int]:
    """Passes scored by the job, which has not yet come to their certificates."""
    setup_exams()
    users = [make_user(name, name=f"考生{name}") for name in usernames]
    sitting = open_sitting(COMPETENCY, users)
    with monkeypatch.context() as patch:
        patch.setattr("app.certificate.services.issue_for_attempt", lambda *a, **k: None)
        return [take(user, sitting, 5).id for user in users]


def issue(attempt_id: int) -> None:
    issue_for_attempt(db.session.get(Attempt, attempt_id), utcnow())


def status(client, attempt_id: int) -> dict:
    return client.get(f"/attempts/{attempt_id}/status").get_json()


def test_once_ready_the_answer_carries_the_box_as_the_result_page_shows_it(
    ctx, client, monkeypatch
):
    [attempt_id] = scored_passes(monkeypatch, "zhou")
    login(client, "zhou")
    waiting = status(client, attempt_id)
    assert waiting["certificates_ready"] is False and "certificates" not in waiting
    issue(attempt_id)
    answer = status(client, attempt_id)
    certificate = db.session.scalars(select(Certificate)).one()
    download = f"/certificates/{certificate.id}.pdf"
    assert answer["certificates_ready"] is True
    assert answer["certificates"] == [{
        "title": certificate.title, "level": certificate.level, "number": certificate.number,
        "text": f"已颁发{certificate.title}（{certificate.level}），编号 {certificate.number}。",
        "download_url": download, "download_words": "下载证书（PDF）", "note": None,
    }]  # fmt: skip
    page = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    box = re.search(r'<div class="result-certificates">(.*?)</div>', page, re.S).group(1)
    assert answer["certificates"][0]["text"] in box and f'href="{download}"' in box
    pdf = client.get(download)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_a_pdf_that_failed_comes_with_the_note_the_page_shows_and_no_link(ctx, client, monkeypatch):
    [attempt_id] = scored_passes(monkeypatch, "zhou")
    issue(attempt_id)
    db.session.execute(update(Certificate).values(pdf=None, pdf_failures=1, pdf_error="字体损坏"))
    db.session.commit()
    login(client, "zhou")
    [line] = status(client, attempt_id)["certificates"]
    assert line["download_url"] is None and line["note"].startswith("证书文件生成遇到问题")
    page = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert line["text"] in page and line["note"] in page


def test_each_candidate_gets_only_their_own_and_another_user_gets_nothing(
    ctx, client, app, monkeypatch
):
    zhou, wang = scored_passes(monkeypatch, "zhou", "wang")
    issue(zhou)
    issue(wang)
    numbers = dict(db.session.execute(select(Certificate.attempt_id, Certificate.number)).all())
    login(client, "zhou")
    assert [c["number"] for c in status(client, zhou)["certificates"]] == [numbers[zhou]]
    other = app.test_client()
    login(other, "wang")
    assert [c["number"] for c in status(other, wang)["certificates"]] == [numbers[wang]]
    refused = other.get(f"/attempts/{zhou}/status")
    assert refused.status_code == 404 and numbers[zhou] not in refused.get_data(as_text=True)
    stranger = app.test_client().get(f"/attempts/{zhou}/status")
    assert stranger.status_code == 302 and numbers[zhou] not in stranger.get_data(as_text=True)


def test_a_revoked_certificate_is_not_in_the_box(ctx, client, monkeypatch):
    [attempt_id] = scored_passes(monkeypatch, "zhou")
    issue(attempt_id)
    db.session.execute(update(Certificate).values(revoked_at=utcnow(), revoked_reason="测试"))
    db.session.commit()
    login(client, "zhou")
    answer = status(client, attempt_id)
    assert answer["certificates_ready"] is True and answer["certificates"] == []


def test_a_fail_has_no_box_in_its_answer(ctx, client, monkeypatch):
    setup_exams()
    user = make_user("zhou", name="周敏")
    attempt_id = take(user, open_sitting(COMPETENCY, [user]), 2).id
    login(client, "zhou")
    answer = status(client, attempt_id)
    assert answer["certificates_ready"] is True and "certificates" not in answer


def test_the_not_ready_answer_reads_no_certificate_rows(ctx, client, monkeypatch):
    [attempt_id] = scored_passes(monkeypatch, "zhou")
    login(client, "zhou")
    status(client, attempt_id)  # the backlog's snapshot taken: later polls within 2 s reuse it
    with statements() as seen:
        assert status(client, attempt_id)["certificates_ready"] is False
    certificate_reads = [s for s in seen if "FROM certificate" in s]
    assert len(certificate_reads) == 1 and "EXISTS" in certificate_reads[0]  # the one query
    assert not any(s.startswith("SELECT certificate.id") for s in seen)
