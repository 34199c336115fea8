"""The sweep has the workers draw first papers for sittings about to open (only the
missing ones, however often it runs), and a prepared paper is claimed once even when
one candidate starts several times at once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.exam.prepared import prepare_papers
from app.exam.sittings import SittingSpec, create_sitting
from app.extensions import db
from app.jobs.tasks import LOST_AFTER, sweep_now
from app.models import Attempt, PreparedPaper, Role, Unit
from app.models.types import utcnow
from tests.app.exam_fixtures import open_sitting
from tests.app.test_attempt_start_guard import start_at_once
from tests.factories import make_user


def prepared() -> dict[tuple[int, int], int]:
    """(sitting, candidate) → seed of every prepared paper."""
    rows = db.session.execute(
        select(PreparedPaper.sitting_id, PreparedPaper.user_id, PreparedPaper.seed)
    )
    return {(sitting_id, user_id): seed for sitting_id, user_id, seed in rows}


def test_the_sweep_prepares_papers_for_a_sitting_about_to_open_once(ctx):
    branch = Unit(name="第一支部")
    group = Unit(name="第一小组", parent=branch)
    db.session.add_all([branch, group])
    db.session.commit()
    named = make_user("named")
    member = make_user("member", unit=branch)
    nested = make_user("nested", unit=group)
    make_user("unitadmin", role=Role.UNIT_ADMIN, unit=branch)  # not registered by the unit
    make_user("outsider")
    open_sitting(
        ("named",), opens=utcnow() - timedelta(days=2), closes=utcnow() - timedelta(days=1)
    )
    now = utcnow()

    def sitting(opens_in: timedelta, title: str):
        spec = SittingSpec(
            "mini",
            title,
            now + opens_in,
            now + opens_in + timedelta(hours=1),
            ("named",),
            (branch.id,),
        )
        return create_sitting(spec).id

    soon, later = sitting(timedelta(minutes=20), "快开始了"), sitting(timedelta(hours=2), "下午")
    sweep_now(now, LOST_AFTER)
    first = prepared()
    assert set(first) == {(soon, named.id), (soon, member.id), (soon, nested.id)}
    assert later not in {s for s, _u in first}
    assert len(set(first.values())) == 3, "a fresh seed per paper"

    sweep_now(now + timedelta(minutes=1), LOST_AFTER)
    assert prepared() == first, "idempotent: nothing drawn again"

    late = make_user("late", unit=group)
    sweep_now(now + timedelta(minutes=2), LOST_AFTER)
    assert prepared() == first | {(soon, late.id): prepared()[(soon, late.id)]}
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0


def test_the_sweep_forgets_papers_of_closed_sittings(ctx):
    user = make_user("candidate")
    now = utcnow()
    sitting = open_sitting(opens=now - timedelta(minutes=1), closes=now + timedelta(hours=1))
    sweep_now(now, LOST_AFTER)  # just opened: late registrations get theirs
    assert set(prepared()) == {(sitting.id, user.id)}
    sweep_now(sitting.closes_at + timedelta(seconds=1), LOST_AFTER)
    assert prepared() == {}


def test_starts_at_once_claim_the_prepared_paper_once(app, ctx):
    user = make_user("candidate")
    sitting = open_sitting(max_attempts=3)
    prepare_papers(sitting.id, utcnow())
    seed = prepared()[(sitting.id, user.id)]
    outcomes = start_at_once(app, user.id, [sitting.id] * 4, [None] * 4)
    assert len(set(outcomes)) == 1, outcomes
    attempts = db.session.scalars(select(Attempt)).all()
    assert len(attempts) == 1 and attempts[0].seed == seed
    assert prepared() == {}
