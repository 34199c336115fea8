"""The admin home shows what needs attention: today's and running sessions with their
counts and a link to the live view, certificates earned but not issued, bank uploads
waiting to be published and failed background jobs; a unit admin only their units'."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.models import BankUpload, JobFailure, Role, Unit
from app.models.types import utcnow
from tests.app.certificate_fixtures import (
    COMPETENCY,
    open_sitting,
    setup_exams,
    take,
)
from tests.auth import login
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("signing", "fresh_catalog")


@pytest.fixture
def world(app, ctx):
    setup_exams()
    finance, education = Unit(name="市财政局"), Unit(name="市教育局")
    db.session.add_all([finance, education])
    db.session.commit()
    admin = make_user("admin", name="系统管理员", role=Role.SYSTEM_ADMIN)
    make_user("fin", name="财政局管理员", role=Role.UNIT_ADMIN, unit=finance)
    # Names no configured font prints: the pass is scored, the certificate refused (owed).
    odd = make_user("odd", name="王\U00030000", unit=finance)
    other = make_user("other", name="赵\U00030000", unit=education)
    earlier = utcnow() - timedelta(minutes=10)
    take(odd, open_sitting(COMPETENCY, [odd]), 5, earlier)
    take(other, open_sitting(COMPETENCY, [other]), 5, earlier)
    db.session.add(BankUpload(
        id="u" * 32, uploader_id=admin.id, bank_name="party-basics", filename="新题库.yaml",
        base_version=1, data=b"bank: x",
    ))  # fmt: skip
    db.session.add(JobFailure(task="score_attempt", arguments="(7,)", error="数据库暂时不可用",
                              retries_left=0, failed_at=utcnow()))  # fmt: skip
    db.session.commit()


def _home(app, username: str) -> str:
    client = app.test_client()
    login(client, username)
    return client.get("/admin/").get_data(as_text=True)


def test_a_system_admin_sees_everything_that_needs_attention(app, world):
    home = _home(app, "admin")
    assert "今天的考试场次" in home and "党务工作者职业能力测试场次" in home
    assert "/admin/live/sessions/" in home  # the live view, one click away
    assert "应考 1" in home
    assert "王\U00030000" in home and "赵\U00030000" in home and "待签发的证书" in home
    assert "新题库.yaml" in home and "/admin/banks/uploads/" + "u" * 32 in home
    assert "后台任务失败 1 次" in home and "数据库暂时不可用" in home


def test_a_unit_admin_sees_only_their_units(app, world):
    home = _home(app, "fin")
    assert "王\U00030000" in home and "赵\U00030000" not in home
    assert home.count("/admin/live/sessions/") == 2  # their session's title and its 实时情况
    assert "新题库.yaml" not in home and "后台任务" not in home
    assert "请联系系统管理员补发" in home
