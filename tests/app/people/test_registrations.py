"""Registering candidates and units to sittings, within an admin's scope."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, SittingCandidate, SittingUnit
from tests.app.exam_fixtures import open_sitting
from tests.app.form_submit import unchanged_submission
from tests.app.people.helpers import as_user, register
from tests.auth import csrf_token
from tests.factories import make_user


def test_unit_admin_registers_people_and_units_of_their_subtree(client, admins, units):
    sitting = open_sitting(usernames=())
    clerk = make_user("clerk", unit=units["office"], employee_number="CZ9")
    teacher = make_user("teacher", unit=units["education"])
    as_user(client, "fin")
    assert register(client, sitting.id, "people", person="CZ9").status_code == 302
    assert "已报名" in register(client, sitting.id, "people", person="clerk").get_data(as_text=True)
    assert "找不到" in register(client, sitting.id, "people", person="teacher").get_data(
        as_text=True
    )
    assert register(client, sitting.id, "units", unit=str(units["office"].id)).status_code == 302
    refused = register(client, sitting.id, "units", unit=str(units["education"].id))
    assert refused.status_code == 400
    assert {(r.user_id) for r in db.session.scalars(select(SittingCandidate))} == {clerk.id}
    assert [r.unit_id for r in db.session.scalars(select(SittingUnit))] == [units["office"].id]
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["session.register", "session.register_unit"]

    as_user(client, "edu")
    page = client.get(f"/admin/people/sessions/{sitting.id}/registrations").get_data(as_text=True)
    assert "办公室" not in page and "clerk" not in page
    token = csrf_token(client, f"/admin/people/sessions/{sitting.id}/registrations")
    base = f"/admin/people/sessions/{sitting.id}/registrations"
    assert (
        client.post(f"{base}/people/{clerk.id}/remove", data={"csrf_token": token}).status_code
        == 404
    )
    assert (
        client.post(
            f"{base}/units/{units['office'].id}/remove", data={"csrf_token": token}
        ).status_code
        == 404
    )
    assert register(client, sitting.id, "people", person="teacher").status_code == 302
    assert teacher.id in {r.user_id for r in db.session.scalars(select(SittingCandidate))}

    as_user(client, "fin")
    token = csrf_token(client, base)
    assert (
        client.post(f"{base}/people/{clerk.id}/remove", data={"csrf_token": token}).status_code
        == 302
    )
    assert client.get("/admin/people/sessions/99999/registrations").status_code == 404


def test_system_admin_registers_anyone(client, admins, units):
    sitting = open_sitting(usernames=())
    teacher = make_user("teacher", unit=units["education"])
    as_user(client, "sys")
    register(client, sitting.id, "people", person="teacher")
    register(client, sitting.id, "units", unit=str(units["root"].id))
    assert db.session.get(SittingCandidate, {"sitting_id": sitting.id, "user_id": teacher.id})
    assert db.session.get(SittingUnit, {"sitting_id": sitting.id, "unit_id": units["root"].id})


def test_removing_a_unit_registration_asks_first_and_says_how_many(client, admins, units):
    """Defect 7: one click removed a whole unit; now a page names the unit and its headcount."""
    sitting = open_sitting(usernames=())
    for n in range(3):
        make_user(f"clerk{n}", unit=units["office"])
    as_user(client, "fin")
    register(client, sitting.id, "units", unit=str(units["finance"].id))
    base = f"/admin/people/sessions/{sitting.id}/registrations"
    listing = client.get(base).get_data(as_text=True)
    ask = f"{base}/units/{units['finance'].id}/remove"
    assert f'href="{ask}"' in listing and f'action="{ask}"' not in listing
    page = client.get(ask).get_data(as_text=True)
    assert (
        "取消市财政局的整体报名？" in page and "<strong>3</strong> 人" in page
    )  # the 3 clerks, not fin (an admin)
    assert db.session.scalars(select(SittingUnit)).all()  # asking changed nothing
    client.post(ask, data=unchanged_submission(page, ask))
    assert not db.session.scalars(select(SittingUnit)).all()


def test_registering_by_name_and_someone_covered_by_their_unit(client, admins, units):
    """Defect 16: a name finds the person; two of one name are listed; someone whose unit
    is registered already is told so instead of "已为…报名"."""
    sitting = open_sitting(usernames=())
    li = make_user("lijg", name="李建国", unit=units["office"])
    make_user("zhao1", name="赵敏", unit=units["office"])
    make_user("zhao2", name="赵敏", unit=units["finance"])
    as_user(client, "fin")
    assert register(client, sitting.id, "people", person="李建国").status_code == 302
    assert {r.user_id for r in db.session.scalars(select(SittingCandidate))} == {li.id}
    twice = register(client, sitting.id, "people", person="赵敏").get_data(as_text=True)
    assert "“赵敏”对应多位人员" in twice and "zhao1" in twice and "zhao2" in twice
    register(client, sitting.id, "units", unit=str(units["finance"].id))
    covered = register(client, sitting.id, "people", person="zhao1").get_data(as_text=True)
    assert "所在的“市财政局”已整体报名本场次，无需单独报名" in covered


def test_registering_by_pinyin_initials(client, admins, units):
    sitting = open_sitting(usernames=())
    li = make_user("u1", name="李建国", unit=units["office"])
    as_user(client, "fin")
    assert register(client, sitting.id, "people", person="LJG").status_code == 302
    assert {r.user_id for r in db.session.scalars(select(SittingCandidate))} == {li.id}


def test_the_registrations_page_lists_who_has_not_taken_the_test(client, admins, units):
    """The unit admin's day: who is registered (by name or through a unit) and absent."""
    sitting = open_sitting(usernames=())
    took = make_user("took", name="已考", unit=units["office"])
    make_user("absent1", name="缺考甲", unit=units["office"])
    make_user("absent2", name="缺考乙", unit=units["finance"])
    make_user("elsewhere", name="别处", unit=units["education"])
    as_user(client, "sys")
    register(client, sitting.id, "units", unit=str(units["finance"].id))
    register(client, sitting.id, "people", person="elsewhere")
    from app.exam.starting import start_attempt
    from app.models.types import utcnow

    start_attempt(took, sitting, None, utcnow())
    base = f"/admin/people/sessions/{sitting.id}/registrations"
    html = client.get(base).get_data(as_text=True)
    absent = html.split("尚未参加（", 1)[1].split("</section>", 1)[0]
    assert absent.startswith("3 人") and "缺考甲" in absent and "缺考乙" in absent
    assert "别处" in absent and "已考" not in absent
    as_user(client, "fin")
    absent = (
        client.get(base).get_data(as_text=True).split("尚未参加（", 1)[1].split("</section>")[0]
    )
    assert absent.startswith("2 人") and "别处" not in absent
