"""Confirming the same people import twice at once: one import happens, the other
request is told so in Chinese (no 500)."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry
from tests.app.people.helpers import as_user, csv_bytes, people_count, upload
from tests.auth import csrf_token

pytestmark = pytest.mark.usefixtures("admins")

ROWS = 120  # enough rows that both confirmations are checked before either commits


def test_two_confirmations_at_once_import_once(app, client):
    as_user(client, "sys")
    rows = [f"人员{n},CZ{n:04d},,办公室,,,," for n in range(ROWS)]
    preview = upload(client, csv_bytes(*rows)).get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', preview).group(1)
    before = people_count()
    browsers = [app.test_client(), app.test_client()]
    forms = []
    for browser in browsers:
        as_user(browser, "sys")
        forms.append({"csrf_token": csrf_token(browser, "/admin/people/import"), "token": token})
    barrier = threading.Barrier(2)
    results: list[tuple[int, str]] = []

    def confirm(browser, form) -> None:
        with app.app_context():
            barrier.wait()
            response = browser.post("/admin/people/import/confirm", data=form)
            results.append((response.status_code, response.get_data(as_text=True)))
            db.session.remove()

    threads = [
        threading.Thread(target=confirm, args=pair) for pair in zip(browsers, forms, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(status for status, _ in results)
    assert statuses[0] == 200 and 400 <= statuses[1] < 500, statuses
    told = next(body for status, body in results if status != 200)
    assert "已由另一次确认导入" in told or "预览之后，部分人员的信息已被修改" in told
    assert people_count() == before + ROWS
    imports = (
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "people.import")
    )
    assert db.session.scalar(imports) == 1
