"""The candidate's sitting and result pages say what happens next (issue 13, defects 6, 12)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.extensions import db
from app.models import Certificate
from app.models.types import utcnow
from tests.app.certificate_fixtures import (
    COMPETENCY,
    open_sitting,
    setup_exams,
    take,
)
from tests.auth import login
from tests.factories import make_user


@pytest.mark.usefixtures("fresh_catalog")
def test_after_a_fail_the_sitting_page_says_when_the_next_attempt_is_allowed(client, ctx):
    """Defect 6: the 24-hour wait appeared only after clicking 开始答题."""
    setup_exams()
    user = make_user("feng", name="冯五")
    sitting = open_sitting(COMPETENCY, [user])
    take(user, sitting, 1)
    login(client, "feng")
    html = client.get(f"/sessions/{sitting.id}").get_data(as_text=True)
    assert "下次可于" in html and "之后参加" in html
    assert 'value="开始答题"' not in html


@pytest.mark.usefixtures("fresh_catalog")
def test_after_a_pass_the_sitting_page_says_so_instead_of_offering_another_start(
    client, ctx, monkeypatch
):
    """Defect 6: a pass still showed 开始答题."""
    from app.exam import attempts

    monkeypatch.setattr(attempts, "issue_certificates", lambda attempt: None)
    setup_exams()
    user = make_user("feng", name="冯五")
    sitting = open_sitting(COMPETENCY, [user])
    take(user, sitting, 4)
    db.session.commit()
    login(client, "feng")
    html = client.get(f"/sessions/{sitting.id}").get_data(as_text=True)
    assert "您已合格（第 1 次作答，80 / 100 分）" in html
    assert 'value="开始答题"' not in html


@pytest.mark.usefixtures("fresh_catalog")
def test_a_fail_names_the_pass_mark_attempts_left_next_time_and_weak_topics(client, ctx):
    """Defect 12: time floored to minutes; a fail said nothing of what comes next."""
    setup_exams()
    user = make_user("feng", name="冯五")
    sitting = open_sitting(COMPETENCY, [user])
    started = utcnow() - timedelta(minutes=7, seconds=25)
    attempt = take(user, sitting, 1, now=started)
    attempt.finalized_at = started + timedelta(minutes=7, seconds=5)
    db.session.commit()
    login(client, "feng")
    html = client.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)
    assert "用时 7 分 05 秒" in html
    assert "合格线：总分的 60%（60 分）" in html
    assert "本场次还可作答 2 次" in html and "下次可于" in html
    assert "得分较低的内容：" in html and "（20%）" in html and "练习这些内容" in html
    assert "按内容得分" in html


@pytest.mark.usefixtures("fresh_catalog")
def test_a_pass_links_the_certificate_just_issued(client, ctx, monkeypatch):
    from app.exam import attempts

    monkeypatch.setattr(attempts, "issue_certificates", lambda attempt: None)
    setup_exams()
    user = make_user("feng", name="冯五")
    attempt = take(user, open_sitting(COMPETENCY, [user]), 5)
    certificate = Certificate(
        number="ZN2026000001", type_id="competency", user_id=user.id, attempt_id=attempt.id,
        holder_name="冯五", title="职业能力认证证书", level="优秀", issued_on=date(2026, 11, 30),
        expires_on=date(2029, 11, 29), issuer="市级机关工委", rules_version="1",
        rules_digest="0" * 64, token="t" * 32, pdf=b"%PDF",
    )  # fmt: skip
    db.session.add(certificate)
    db.session.commit()
    login(client, "feng")
    html = client.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)
    assert "已颁发职业能力认证证书（优秀），编号 ZN2026000001" in html
    assert f'href="/certificates/{certificate.id}.pdf"' in html
    assert "合格线" not in html
