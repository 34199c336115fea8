"""Who may take a sitting, asked in one query on every start, agrees with the list of
sittings the dashboard shows (by name, or a candidate through their unit or a parent)."""

from __future__ import annotations

from sqlalchemy import update

from app.exam.sittings import may_take, sittings_for
from app.extensions import db
from app.models import Role, SittingUnit, Unit
from tests.app.exam_fixtures import open_sitting
from tests.factories import make_user


def test_may_take_agrees_with_the_sittings_listed(ctx):
    root = Unit(name="市级机关工委")
    finance = Unit(name="市财政局", parent=root)
    office = Unit(name="办公室", parent=finance)
    education = Unit(name="市教育局", parent=root)
    db.session.add_all([root, finance, office, education])
    db.session.commit()
    people = {
        "by_name": make_user("named"),
        "in_registered_unit": make_user("fin", unit=finance),
        "below_registered_unit": make_user("office", unit=office),
        "in_sibling_unit": make_user("edu", unit=education),
        "above_registered_unit": make_user("top", unit=root),
        "without_unit": make_user("loose"),
        "admin_in_registered_unit": make_user("admin", role=Role.UNIT_ADMIN, unit=finance),
    }
    sitting = open_sitting(("named",))
    db.session.add(SittingUnit(sitting_id=sitting.id, unit_id=finance.id))
    db.session.commit()

    decided = {key: may_take(user, sitting) for key, user in people.items()}
    listed = {key: sitting in sittings_for(user) for key, user in people.items()}

    assert decided == listed
    assert [key for key, allowed in decided.items() if allowed] == [
        "by_name",
        "in_registered_unit",
        "below_registered_unit",
    ]


def test_may_take_ends_at_a_unit_cycle(ctx):
    first = Unit(name="甲")
    second = Unit(name="乙", parent=first)
    db.session.add_all([first, second])
    db.session.commit()
    # Bad data must not hang the start.
    db.session.execute(update(Unit).where(Unit.id == first.id).values(parent_id=second.id))
    db.session.commit()
    user = make_user("cyclic", unit=first)
    sitting = open_sitting(())

    assert not may_take(user, sitting)
