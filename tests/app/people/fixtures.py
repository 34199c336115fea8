"""Fixtures of the people tests: a small unit tree and its admins."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import Role, Unit, User
from tests.factories import make_user


@pytest.fixture
def units(ctx) -> dict[str, Unit]:
    """工委 > 财政局 > 办公室, and 工委 > 教育局."""
    root = Unit(name="市级机关工委")
    finance = Unit(name="市财政局", parent=root)
    office = Unit(name="办公室", parent=finance)
    education = Unit(name="市教育局", parent=root)
    db.session.add_all([root, finance, office, education])
    db.session.commit()
    return {"root": root, "finance": finance, "office": office, "education": education}


@pytest.fixture
def admins(units) -> dict[str, User]:
    return {
        "system": make_user("sys", role=Role.SYSTEM_ADMIN, unit=units["root"]),
        "finance": make_user("fin", role=Role.UNIT_ADMIN, unit=units["finance"]),
        "education": make_user("edu", role=Role.UNIT_ADMIN, unit=units["education"]),
    }
