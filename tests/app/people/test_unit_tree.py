"""The unit tree: creating, renaming and moving units, never into a cycle."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Unit
from tests.app.form_submit import unchanged_submission
from tests.app.people.helpers import as_user, unit_post


def test_create_rename_and_move_units(client, admins, units):
    as_user(client, "sys")
    assert (
        unit_post(
            client, "/admin/people/units", name="人事处", parent=str(units["finance"].id)
        ).status_code
        == 302
    )
    created = db.session.scalar(select(Unit).where(Unit.name == "人事处"))
    assert created.parent_id == units["finance"].id
    assert "同一上级单位下已有" in unit_post(
        client, "/admin/people/units", name="人事处", parent=str(units["finance"].id)
    ).get_data(as_text=True)
    assert "不能含“/”" in unit_post(client, "/admin/people/units", name="a/b", parent="0").get_data(
        as_text=True
    )
    assert (
        unit_post(client, f"/admin/people/units/{created.id}/rename", name="组织人事处").status_code
        == 302
    )
    assert (
        unit_post(
            client, f"/admin/people/units/{created.id}/move", parent=str(units["education"].id)
        ).status_code
        == 302
    )
    db.session.refresh(created)
    assert (created.name, created.parent_id) == ("组织人事处", units["education"].id)
    actions = db.session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.action.startswith("unit."))
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["unit.create", "unit.rename", "unit.move"]


@pytest.mark.parametrize("target", ["finance", "office", "nowhere", "junk"])
def test_a_unit_cannot_move_under_itself_or_below(client, admins, units, target):
    as_user(client, "sys")
    parent = {"nowhere": "99999", "junk": "x"}.get(target) or str(units[target].id)
    response = unit_post(client, f"/admin/people/units/{units['finance'].id}/move", parent=parent)
    assert response.status_code == 400 and "请从列表中选择" in response.get_data(as_text=True)
    db.session.refresh(units["finance"])
    assert units["finance"].parent_id == units["root"].id


def test_move_service_refuses_a_cycle(ctx, admins, units):
    from app.admin.people.units import UnitRefused, move_unit

    with pytest.raises(UnitRefused):
        move_unit(units["finance"], units["office"], admins["system"])


def test_a_unit_renamed_or_moved_unchanged_stays_put(client, admins, units):
    office = units["office"]
    as_user(client, "sys")
    page = client.get(f"/admin/people/units/{office.id}").get_data(as_text=True)
    for action in ("rename", "move"):
        path = f"/admin/people/units/{office.id}/{action}"
        client.post(path, data=unchanged_submission(page, path))
    db.session.refresh(office)
    assert (office.name, office.parent_id) == ("办公室", units["finance"].id)
