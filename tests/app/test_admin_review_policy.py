"""Admins see an attempt under the exam's review policy: no keys before the review opens
(a system admin may open them, audited), and a unit admin who sits the sitting sees only
scores of it; only a system admin registers an admin for a test."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.admin.sittings.services import close_now
from app.exam.attempts import finalize
from app.exam.catalog import question_of
from app.exam.sittings import may_take
from app.exam.starting import start_attempt
from app.extensions import db
from app.models import Attempt, AuditEntry, Role, Unit, User
from app.models.types import utcnow
from tests.app.exam_fixtures import open_sitting
from tests.auth import csrf_token, login
from tests.factories import make_user

KEY_LINE = "正确答案："


@pytest.fixture
def world(ctx):
    """A bureau, its unit admin, a candidate who finished (review: keys after close) and
    one still answering, and two system admins."""
    bureau = Unit(name="市财政局")
    db.session.add(bureau)
    db.session.commit()
    admin = make_user("admin", role=Role.SYSTEM_ADMIN)
    make_user("admin2", role=Role.SYSTEM_ADMIN)
    unit_admin = make_user("unitadmin", role=Role.UNIT_ADMIN, unit=bureau)
    done = make_user("candidate", name="张晓明", unit=bureau)
    running = make_user("slow", name="慢考生", unit=bureau)
    sitting = open_sitting(("candidate", "slow"), when="after_close")
    attempt = start_attempt(done, sitting, None, utcnow())
    for item in attempt.items:
        question = question_of(item.question_revision_id)
        item.response = question.keys[0] if question.type == "single" else None
    db.session.commit()
    finalize(attempt.id, "candidate", utcnow())
    start_attempt(running, sitting, None, utcnow())
    return SimpleNamespace(
        admin=admin, unit_admin=unit_admin, sitting=sitting, attempt=attempt, bureau=bureau
    )


def drill_down(client, attempt_id: int) -> str:
    return client.get(f"/admin/results/attempts/{attempt_id}").get_data(as_text=True)


def explanations(attempt) -> list[str]:
    return [
        q.explanation
        for q in (question_of(i.question_revision_id) for i in attempt.items)
        if q.explanation
    ]


def test_before_the_review_admins_see_answers_but_no_keys(client, world):
    login(client, "unitadmin")
    html = drill_down(client, world.attempt.id)
    assert "张晓明" in html and "checked" in html  # the score and the candidate's own answers
    assert KEY_LINE not in html and not any(e in html for e in explanations(world.attempt))
    assert "查看正确答案" not in html
    token = csrf_token(client, f"/admin/results/attempts/{world.attempt.id}")
    opened = client.post(
        f"/admin/results/attempts/{world.attempt.id}/keys", data={"csrf_token": token}
    )
    assert opened.status_code == 403 and KEY_LINE not in drill_down(client, world.attempt.id)


def test_a_system_admin_opens_the_keys_explicitly_and_it_is_audited(app, client, world):
    login(client, "admin")
    path = f"/admin/results/attempts/{world.attempt.id}"
    html = drill_down(client, world.attempt.id)
    assert KEY_LINE not in html and "查看正确答案（将记入审计日志）" in html
    assert client.post(f"{path}/keys").status_code == 400, "CSRF-protected"
    assert (
        client.post(f"{path}/keys", data={"csrf_token": csrf_token(client, path)}).status_code
        == 302
    )
    assert KEY_LINE in drill_down(client, world.attempt.id)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "attempt.open_keys"))
    assert entry.actor_id == world.admin.id and entry.target == f"attempt {world.attempt.id}"
    assert entry.details["candidate"] == "candidate" and entry.details["review_open"] is False
    other = app.test_client()
    login(other, "admin2")
    assert KEY_LINE not in drill_down(other, world.attempt.id), "opened for that admin only"


def end_every_attempt(world) -> None:
    """Close the sitting (if still open); the slow candidate hands in within the grace."""
    if world.sitting.state(utcnow()) == "open":
        close_now(world.sitting, world.admin, utcnow())
    slow = db.session.scalar(select(Attempt).where(Attempt.id != world.attempt.id))
    finalize(slow.id, "candidate", utcnow())


def test_keys_show_once_no_attempt_can_still_be_answered(client, world):
    close_now(world.sitting, world.admin, utcnow())
    login(client, "unitadmin")
    assert KEY_LINE not in drill_down(client, world.attempt.id), "slow may answer in the grace"
    end_every_attempt(world)
    assert KEY_LINE in drill_down(client, world.attempt.id)


def test_only_a_system_admin_registers_an_admin_for_a_test(app, client, world):
    login(client, "unitadmin")
    path = f"/admin/people/sessions/{world.sitting.id}/registrations"
    token = csrf_token(client, path)
    refused = client.post(f"{path}/people", data={"csrf_token": token, "person": "unitadmin"})
    assert "管理员参加考试须由系统管理员报名" in refused.get_data(as_text=True)
    assert client.post(f"{path}/units", data={"csrf_token": token, "unit": world.bureau.id})
    unit_admin = db.session.get(User, world.unit_admin.id)
    assert not may_take(unit_admin, world.sitting), "a unit registers its candidates only"
    system = app.test_client()
    login(system, "admin")
    token = csrf_token(system, path)
    system.post(f"{path}/people", data={"csrf_token": token, "person": "unitadmin"})
    assert may_take(unit_admin, world.sitting)


def test_a_unit_admin_sitting_the_sitting_sees_only_scores(app, client, world):
    world.sitting.candidates.append(world.unit_admin)
    db.session.commit()
    login(client, "unitadmin")
    html = drill_down(client, world.attempt.id)
    assert "张晓明" in html and "只能查看成绩" in html
    assert "checked" not in html and KEY_LINE not in html
    assert "<fieldset" not in html, "no questions, no answers"
    end_every_attempt(world)
    assert KEY_LINE in drill_down(client, world.attempt.id)


def test_a_unit_admin_sitting_any_test_sees_no_answers_of_another_sitting(client, world):
    end_every_attempt(world)
    login(client, "unitadmin")
    assert KEY_LINE in drill_down(client, world.attempt.id)
    other = open_sitting((), when="after_close")
    other.candidates.append(world.unit_admin)
    db.session.commit()
    start_attempt(world.unit_admin, other, None, utcnow())
    html = drill_down(client, world.attempt.id)
    assert KEY_LINE not in html and "checked" not in html and "只能查看成绩" in html
