"""Certificates in the browser for system admins: list with filters, revoke with a
reason, re-issue (issue 13; before, only the command line could)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Certificate, Role
from tests.app.certificate_fixtures import (
    COMPETENCY,
    open_sitting,
    setup_exams,
    take,
)
from tests.auth import csrf_token, login
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("fresh_catalog", "signing")


@pytest.fixture
def issued(ctx):
    setup_exams()
    holders = [make_user("feng", name="冯五"), make_user("chen", name="陈六")]
    sitting = open_sitting(COMPETENCY, holders)
    for user in holders:
        take(user, sitting, 5)
    make_user("admin", role=Role.SYSTEM_ADMIN)
    return {c.holder_name: c for c in db.session.scalars(select(Certificate))}


def test_the_list_filters_by_text_and_status(client, issued):
    login(client, "admin")
    html = client.get("/admin/certificates/").get_data(as_text=True)
    assert issued["冯五"].number in html and issued["陈六"].number in html
    html = client.get("/admin/certificates/?q=冯").get_data(as_text=True)
    assert issued["冯五"].number in html and issued["陈六"].number not in html
    assert "没有符合条件的证书" in client.get("/admin/certificates/?status=revoked").get_data(
        as_text=True
    )


def test_revoke_needs_a_reason_and_is_audited(client, issued):
    login(client, "admin")
    path = f"/admin/certificates/{issued['冯五'].id}"
    token = csrf_token(client, path)
    refused = client.post(f"{path}/revoke", data={"csrf_token": token, "reason": " "})
    assert refused.status_code == 400 and "请写明撤销原因" in refused.get_data(as_text=True)
    client.post(f"{path}/revoke", data={"csrf_token": token, "reason": "信息有误"})
    db.session.expire_all()
    revoked = db.session.get(Certificate, issued["冯五"].id)
    assert revoked.revoked_reason == "信息有误" and revoked.revoked_by.username == "admin"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "certificate.revoke"))
    assert entry.actor.username == "admin"
    assert issued["冯五"].number in client.get("/admin/certificates/?status=revoked").get_data(
        as_text=True
    )


def test_reissue_gives_a_new_number_and_voids_the_old(client, issued):
    old = issued["陈六"]
    old.holder.name = "陈陆"
    db.session.commit()
    login(client, "admin")
    path = f"/admin/certificates/{old.id}"
    reply = client.post(f"{path}/reissue", data={"csrf_token": csrf_token(client, path)})
    assert reply.status_code == 302
    db.session.expire_all()
    new = db.session.scalar(select(Certificate).where(Certificate.reissued_from_id == old.id))
    assert new.holder_name == "陈陆" and new.number != old.number
    assert db.session.get(Certificate, old.id).revoked_at is not None


@pytest.mark.parametrize("role", [Role.CANDIDATE, Role.UNIT_ADMIN])
def test_only_system_admins(client, issued, role):
    make_user("someone", role=role)
    login(client, "someone")
    assert client.get("/admin/certificates/").status_code == 403
    assert client.get(f"/admin/certificates/{issued['冯五'].id}").status_code == 403
