"""Building blocks for certificate tests: a five-question bank, exams named in the default
rules, sittings, attempts with a chosen score, and a signing key of the test's own."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from app.bank.services import publish
from app.exam import catalog
from app.exam.exams import save_exam
from app.exam.starting import start_attempt
from app.extensions import db
from app.models import Attempt, Sitting, User
from app.models.types import utcnow
from certificates.signing import CERT_FILE, create_signing_identity
from tests.app.factories import sitting_of
from tests.app.factories import take as take_test
from tests.factories import make_user
from tests.question_bank.factories import make_bank

COMPETENCY = "party-affairs-competency"
SECRETARY = "secretary-pre-appointment"
TITLES = {COMPETENCY: "党务工作者职业能力测试", SECRETARY: "任前党务基本知识测试（党组织书记）"}


def exam_yaml(code: str) -> bytes:
    """Five single-choice questions of 20 points each (answer A): 20 points per right answer."""
    return (
        f"exam: {code}\ntitle: {TITLES[code]}\nbank: cert-bank\ntime_limit_minutes: 30\n"
        "pass_mark: 60%\nmultiple_scoring: all_or_nothing\n"
        "sections:\n  - {type: single, count: 5, points: 20}\n"
    ).encode()


@pytest.fixture
def fresh_catalog() -> Iterator[None]:
    """The exam catalog caches per process by row id, and ids repeat once tests empty the
    tables; this bank differs from the shipped one that other tests use, so start and
    leave with empty caches."""
    _clear_catalog()
    yield
    _clear_catalog()


def _clear_catalog() -> None:
    catalog.clear_caches()


@pytest.fixture
def signing(app, tmp_path, monkeypatch) -> Path:
    """A key pair for this test, never the instance folder's; returns the trust root."""
    monkeypatch.setitem(app.config, "CERT_KEY_DIR", tmp_path / "signing")
    create_signing_identity(tmp_path / "signing", "测试发证机关")
    return tmp_path / "signing" / CERT_FILE


def trust_root(app) -> Path:
    return Path(app.config["CERT_KEY_DIR"]) / CERT_FILE


def setup_exams() -> None:
    publish(make_bank({("single", "charter", 3): 5}, name="cert-bank"))
    for code in TITLES:
        save_exam(exam_yaml(code), f"{code}.yaml")


def open_sitting(code: str, users: list[User], max_attempts: int = 3) -> Sitting:
    now = utcnow()
    usernames = tuple(u.username for u in users)
    return sitting_of(
        code, usernames, now - timedelta(days=10), now + timedelta(days=1),
        title=f"{TITLES[code]}场次", max_attempts=max_attempts,
    )  # fmt: skip


def take(user: User, sitting: Sitting, right: int, now: datetime | None = None) -> Attempt:
    """Start, answer ``right`` questions correctly and the rest wrongly, and submit."""
    return take_test(user, sitting, lambda item: "A" if item.position < right else "B", now)


def all_right_and_open(username: str, name: str) -> Attempt:
    """A competency paper with every answer right, saved and still open: the tests of
    scoring and issuance then close or score it themselves, as a submit or a worker does."""
    user = make_user(username, name=name)
    attempt = start_attempt(user, open_sitting(COMPETENCY, [user]), None, utcnow())
    for item in attempt.items:
        item.response, item.answered_at = "A", utcnow()
    db.session.commit()
    return attempt
