"""What the people tests share: sample identity numbers, posting files."""

from __future__ import annotations

import io
import re
from datetime import date

from openpyxl import Workbook
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.extensions import db
from app.models import User
from tests.auth import csrf_token, login

TODAY = date(2026, 11, 26)


ID_A = "11010519491231002X"


ID_B = "110101199003071233"


ID_C = "440304198501010013"


HEADER = "姓名,工号,身份证号,单位,职务,拟任职务,手机,出生日期"


def as_user(client, username: str):
    """Log the client in as someone else (the cookie of the previous login is dropped)."""
    client.delete_cookie("session", domain="exam.test")
    login(client, username)
    return client


def upload(client, data: bytes, filename: str = "people.csv"):
    """Post the file as a browser would; the body is encoded in memory, because the test
    client's own encoder leaves a temporary file open for large bodies."""
    token = csrf_token(client, "/admin/people/import")
    boundary, body = encode_multipart(
        {"csrf_token": token, "file": FileStorage(io.BytesIO(data), filename)}
    )
    return client.post(
        "/admin/people/import", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def confirm(client, preview_html: str):
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', preview_html).group(1)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', preview_html).group(1)
    return client.post("/admin/people/import/confirm", data={"csrf_token": csrf, "token": token})


def csv_bytes(*rows: str, encoding: str = "utf-8") -> bytes:
    return "\r\n".join((HEADER, *rows)).encode(encoding)


def people_count() -> int:
    return len(db.session.scalars(select(User)).all())


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def person_form(client, person: User, **changes) -> dict:
    data = {
        "csrf_token": csrf_token(client, f"/admin/people/{person.id}"),
        "name": person.name, "unit": str(person.unit_id), "current_position": "",
        "position": "", "phone": "",
    }  # fmt: skip
    return data | changes


def unit_post(client, path: str, **data):
    return client.post(path, data={"csrf_token": csrf_token(client, "/admin/people/units"), **data})


def register(client, sitting_id: int, kind: str, **data):
    page = f"/admin/people/sessions/{sitting_id}/registrations"
    return client.post(f"{page}/{kind}", data={"csrf_token": csrf_token(client, page), **data})


def _details(person: User) -> tuple:
    return (person.name, person.unit_id, person.current_position, person.position, person.phone)
