"""Leaving the test page (记录切屏) over HTTP, and clearing a single choice (issue 13)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.models import Attempt, AttemptItem, FocusEvent
from tests.app.test_attempts import begin, save
from tests.factories import make_user


def leave(client, attempt_id: int, kind, token: str):
    return client.post(
        f"/attempts/{attempt_id}/focus-events",
        data=json.dumps({"kind": kind}),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )


@pytest.fixture
def candidate(ctx):
    return make_user("candidate", name="张晓明")


def test_each_departure_is_recorded_while_the_attempt_is_open(client, candidate):
    attempt_id, token = begin(client)
    assert leave(client, attempt_id, "hidden", token).get_json() == {"recorded": True}
    assert leave(client, attempt_id, "blur", token).get_json() == {"recorded": True}
    assert leave(client, attempt_id, "print", token).status_code == 400
    db.session.execute(update(Attempt).values(status="submitted"))
    db.session.commit()
    assert leave(client, attempt_id, "hidden", token).get_json() == {"recorded": False}
    kinds = db.session.scalars(select(FocusEvent.kind).order_by(FocusEvent.id)).all()
    assert kinds == ["hidden", "blur"]


def test_another_candidates_attempt_records_nothing(client, candidate, app):
    attempt_id, _ = begin(client)
    make_user("other")
    other = app.test_client()
    from tests.auth import csrf_token, login

    login(other, "other")
    token = csrf_token(other, "/")
    assert leave(other, attempt_id, "hidden", token).status_code == 404
    assert db.session.scalar(select(FocusEvent.id)) is None


def test_a_cleared_single_choice_is_stored_unanswered(client, candidate):
    attempt_id, token = begin(client)
    item = db.session.scalars(select(AttemptItem).order_by(AttemptItem.position)).first()
    answer = item.option_order[0] if item.option_order else "A"
    assert (
        save(client, attempt_id, {"position": item.position, "response": answer}, token).status_code
        == 200
    )
    assert (
        save(client, attempt_id, {"position": item.position, "response": None}, token).status_code
        == 200
    )
    db.session.refresh(item)
    assert item.response is None
