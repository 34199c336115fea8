"""The live view in a real browser, on a desktop, a phone and in large print: it fits the
screen, and its static script brings in a new start without a reload."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.exam.starting import start_attempt
from app.extensions import db
from app.models import Sitting, SittingUnit, Unit, User
from app.models.types import utcnow
from tests.app.ux_world import build_world, log_in
from tests.factories import make_user

pytestmark = [pytest.mark.browser]

SIZES = {
    "desktop": ({"width": 1366, "height": 768}, 0),
    "phone": ({"width": 390, "height": 844}, 0),
    "phone-large-print": ({"width": 390, "height": 844}, 2),
}


def shot(page, name: str) -> None:
    """Kept for people to look at where UX_SCREENSHOTS names a folder."""
    folder = os.environ.get("UX_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("size", SIZES)
def test_the_live_view_refreshes_itself_and_fits(app, browser, live_url, ctx, size):
    viewport, text_size = SIZES[size]
    app.config["LIVE_REFRESH_SECONDS"] = 1
    build_world()
    education = Unit(
        name="市财政局预算处", parent=db.session.scalar(select(Unit).where(Unit.name == "市财政局"))
    )
    db.session.add(education)
    db.session.commit()
    newcomer = make_user("newcomer", name="欧阳晓明", unit=education)
    sitting = db.session.scalar(select(Sitting))
    db.session.add(SittingUnit(sitting_id=sitting.id, unit_id=education.id))
    db.session.get(
        User, db.session.scalar(select(User.id).where(User.username == "unitadmin"))
    ).text_size = text_size
    db.session.commit()
    page = browser.new_page(viewport=viewport)
    log_in(page, live_url, "unitadmin")
    page.goto(f"{live_url}/admin/live/sessions/{sitting.id}")
    expect(page.locator(".live-auto")).to_be_visible()
    counts = page.locator(".live-counts")
    expect(counts).to_contain_text("作答中1")
    shot(page, f"live-{size}")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    start_attempt(db.session.get(User, newcomer.id), sitting, None, utcnow())
    expect(counts).to_contain_text("作答中2", timeout=5000)  # no reload: the script's fetch
    expect(page.locator(".live-table")).to_contain_text("欧阳晓明")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.close()
    app.config.pop("LIVE_REFRESH_SECONDS")
