"""People import reads hostile XLSX files within caps (issue 10, item 14): the issue's
129 KB file with 3 million shared strings took 57 s of CPU and stalled every worker."""

from __future__ import annotations

import io
import time

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.admin.people.tabular import TableError, read_table
from app.models import Role
from tests.auth import csrf_token, login
from tests.factories import make_user
from tests.hostile_xlsx import many_shared_strings, sheet_of, workbook_bytes


@pytest.fixture(scope="module")
def shared_string_bomb() -> bytes:
    return many_shared_strings(3_000_000, distinct=False)


def test_the_shared_string_bomb_is_refused_at_once(shared_string_bomb):
    start = time.process_time()
    with pytest.raises(TableError, match=r"^表格过大："):
        read_table(shared_string_bomb)
    assert time.process_time() - start < 1.0


def test_rows_far_down_the_sheet_are_refused():
    data = sheet_of(b'<row r="20000"><c r="A20000" t="inlineStr"><is><t>x</t></is></c></row>')
    with pytest.raises(TableError, match="表格过大：超过 10000 行"):
        read_table(data)


def test_an_ordinary_file_still_imports():
    table = read_table(workbook_bytes([["姓名", "工号"], ["王喆", "A1"], [], ["李堃", "A2"]]))
    assert table.rows == [(2, ["王喆", "A1"]), (4, ["李堃", "A2"])]


def test_the_page_answers_with_the_message(ctx, client, shared_string_bomb):
    make_user("sys", role=Role.SYSTEM_ADMIN)
    login(client, "sys")
    token = csrf_token(client, "/admin/people/import")
    boundary, body = encode_multipart(
        {"csrf_token": token, "file": FileStorage(io.BytesIO(shared_string_bomb), "p.xlsx")}
    )
    start = time.process_time()
    response = client.post(
        "/admin/people/import",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert time.process_time() - start < 1.5
    assert response.status_code == 400
    assert "表格过大" in response.get_data(as_text=True)
