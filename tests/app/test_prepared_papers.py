"""Papers drawn ahead: a candidate's first start takes the paper a worker drew for them
before the open, once, unseen by anyone before; never someone else's, never one drawn
for an exam or bank version the sitting no longer has, never after an unregistration."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from app.admin.people.registrations import register_person, unregister_person
from app.exam.attempts import finalize
from app.exam.catalog import question_of
from app.exam.exams import save_exam
from app.exam.prepared import forget_stale, prepare_papers
from app.exam.starting import start_attempt
from app.extensions import db
from app.models import Attempt, AttemptItem, PreparedPaper, Role, User
from app.models.types import utcnow
from tests.app.exam_fixtures import MINI_EXAM, open_sitting
from tests.app.test_attempts import start
from tests.app.test_live_view import _counts
from tests.auth import csrf_token, login
from tests.factories import make_user


@pytest.fixture
def candidate(ctx):
    return make_user("candidate", name="张晓明")


def prepared_of(user_id: int, sitting_id: int) -> PreparedPaper | None:
    return db.session.scalar(
        select(PreparedPaper)
        .where(PreparedPaper.user_id == user_id, PreparedPaper.sitting_id == sitting_id)
        .execution_options(populate_existing=True)
    )


def paper_of(attempt_id: int) -> list[list]:
    """An attempt's items as a prepared paper lists them: [section, revision, order]."""
    items = db.session.scalars(
        select(AttemptItem)
        .where(AttemptItem.attempt_id == attempt_id)
        .order_by(AttemptItem.position)
    )
    return [[i.section, i.question_revision_id, list(i.option_order)] for i in items]


def prepared_count() -> int:
    return db.session.scalar(select(func.count()).select_from(PreparedPaper))


def test_the_first_start_takes_the_prepared_paper_as_drawn(client, candidate):
    sitting = open_sitting()
    assert prepare_papers(sitting.id, utcnow()) == 1
    prepared = prepared_of(candidate.id, sitting.id)
    seed, policy, items = prepared.seed, prepared.policy, prepared.items
    login(client, "candidate")
    attempt_id = start(client, sitting.id)
    attempt = db.session.get(Attempt, attempt_id)
    assert (attempt.seed, attempt.stored_policy, paper_of(attempt_id)) == (seed, policy, items)
    assert prepared_of(candidate.id, sitting.id) is None, "claimed papers are deleted"
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    questions = [question_of(revision) for _section, revision, _order in items]
    shown = [page.find(str(escape(q.stem))) for q in questions if q.type != "fill"]
    assert -1 not in shown and shown == sorted(shown), "the page shows the prepared paper"


def test_each_candidate_gets_their_own_paper_with_its_own_seed(ctx):
    for name in ("a", "b", "c"):
        make_user(name)
    sitting = open_sitting(("a", "b", "c"))
    assert prepare_papers(sitting.id, utcnow()) == 3
    seeds = {p.user_id: p.seed for p in db.session.scalars(select(PreparedPaper))}
    assert len(set(seeds.values())) == 3
    other = db.session.scalar(select(User).where(User.username == "b"))
    started = _start_directly(other, sitting)
    assert db.session.get(Attempt, started).seed == seeds[other.id]
    assert prepared_count() == 2, "the other candidates' papers are still theirs alone"


def _start_directly(user: User, sitting) -> int:
    return start_attempt(user, sitting, None, utcnow()).id


def test_a_paper_prepared_for_one_sitting_is_not_used_in_another(ctx, candidate):
    first = open_sitting()
    second = open_sitting()
    prepare_papers(first.id, utcnow())
    seed = prepared_of(candidate.id, first.id).seed
    attempt_id = _start_directly(candidate, second)
    assert db.session.get(Attempt, attempt_id).seed != seed
    assert prepared_of(candidate.id, first.id).seed == seed


def _edit_exam(_sitting) -> None:
    save_exam(
        MINI_EXAM.replace("{when}", "immediately").replace("小测验", "小测验（修订）").encode(),
        "mini.yaml",
    )


def _new_bank_version(sitting) -> None:
    from app.bank.services import load_version, publish
    from tests.app.exam_fixtures import shipped_bank

    bank = shipped_bank()
    changed = replace(bank.questions[0], stem="改过的题干")
    publish(replace(bank, questions=(changed, *bank.questions[1:])))
    sitting.bank_version = load_version(bank.name)[0]
    db.session.commit()


@pytest.mark.parametrize("change", [_edit_exam, _new_bank_version], ids=["exam", "bank"])
def test_a_paper_prepared_before_a_change_of_exam_or_bank_version_is_not_used(
    ctx, candidate, change
):
    sitting = open_sitting()
    prepare_papers(sitting.id, utcnow())
    seed = prepared_of(candidate.id, sitting.id).seed
    change(sitting)
    attempt = db.session.get(Attempt, _start_directly(candidate, sitting))
    assert attempt.seed != seed
    assert forget_stale(sitting) == 1 and prepared_count() == 0, "the sweep forgets it"


def test_unregistering_forgets_the_prepared_paper(client, candidate):
    admin = make_user("sys", role=Role.SYSTEM_ADMIN)
    sitting = open_sitting()
    prepare_papers(sitting.id, utcnow())
    seed = prepared_of(candidate.id, sitting.id).seed
    unregister_person(sitting, candidate, admin)
    assert prepared_of(candidate.id, sitting.id) is None
    login(client, "candidate")
    token = csrf_token(client, "/")  # the logout form
    refused = client.post(f"/sessions/{sitting.id}", data={"csrf_token": token})
    assert refused.status_code == 404 and prepared_count() == 0
    register_person(sitting, candidate, admin)
    assert db.session.get(Attempt, start(client, sitting.id)).seed != seed


def test_a_prepared_paper_shows_nowhere_before_the_start(app, client, candidate):
    make_user("sys", role=Role.SYSTEM_ADMIN)
    sitting = open_sitting()
    prepare_papers(sitting.id, utcnow())
    stems = {
        str(escape(question_of(r).stem))
        for _s, r, _o in prepared_of(candidate.id, sitting.id).items
    }
    login(client, "candidate")
    pages = [
        client.get("/").get_data(as_text=True),
        client.get(f"/sessions/{sitting.id}").get_data(as_text=True),
    ]
    assert "继续答题" not in pages[1] and "开始答题" in pages[1]
    admin = app.test_client()
    login(admin, "sys")
    live = admin.get(f"/admin/live/sessions/{sitting.id}").get_data(as_text=True)
    pages.append(live)
    assert not any(stem in page for stem in stems for page in pages)
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0
    assert "张晓明" in live
    assert _counts(live) == {"应考": 1, "已开始": 0, "作答中": 0, "已交卷": 0, "未开始": 1}


def test_a_retake_draws_anew_and_avoids_the_first_paper(client, candidate):
    sitting = open_sitting(max_attempts=2)
    prepare_papers(sitting.id, utcnow())
    login(client, "candidate")
    first = start(client, sitting.id)
    finalize(first, "candidate", utcnow())
    assert prepare_papers(sitting.id, utcnow()) == 0, "no second paper is prepared"
    second = start(client, sitting.id)
    asked = {revision for _s, revision, _o in paper_of(first)}
    assert asked.isdisjoint(revision for _s, revision, _o in paper_of(second))
    assert db.session.get(Attempt, second).policy.avoid


def test_time_granted_ahead_still_counts_with_a_prepared_paper(client, candidate):
    from app.admin.sittings.services import GrantFields, grant

    admin = make_user("sys", role=Role.SYSTEM_ADMIN)
    sitting = open_sitting()
    grant(sitting, GrantFields("candidate", 15, 0, False, "视力"), admin, utcnow())
    prepare_papers(sitting.id, utcnow())
    login(client, "candidate")
    before = utcnow()
    attempt = db.session.get(Attempt, start(client, sitting.id))
    assert attempt.deadline >= before + timedelta(minutes=30 + 15)
    assert prepared_count() == 0


def test_a_paper_forgotten_between_its_read_and_its_claim_is_not_used(ctx, candidate, monkeypatch):
    from app.exam import prepared, starting

    sitting = open_sitting()
    prepare_papers(sitting.id, utcnow())
    seed = prepared_of(candidate.id, sitting.id).seed

    def read_then_forgotten(user_id, sitting):
        paper = prepared.prepared_for(user_id, sitting)
        prepared.forget(sitting.id, [user_id])  # as an unregistration or the sweep would
        db.session.commit()
        return paper

    monkeypatch.setattr(starting, "prepared_for", read_then_forgotten)
    attempt = db.session.get(Attempt, _start_directly(candidate, sitting))
    assert attempt.seed != seed and len(paper_of(attempt.id)) == 10
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1
