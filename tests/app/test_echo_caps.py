"""Error messages echo at most a little of what was sent (issue 10, item 17): a file
with huge unknown headers or keys gives a short page, not megabytes."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook

from app.models import Role
from question_bank.bank_format import parse_bank
from question_bank.echo import quoted
from tests.app.people.helpers import upload
from tests.auth import login
from tests.factories import make_user


def test_quoting_caps_the_text_and_flattens_line_breaks():
    assert quoted("王五") == "“王五”"
    assert quoted("x" * 100) == "“" + "x" * 40 + "…”"
    assert quoted("a\r\nb") == "“a b”"


def _xlsx(header: list[str]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    sheet.append(["张三", "市财政局", "CZ0001"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_huge_unknown_headers_give_a_short_page(client, ctx):
    make_user("sys", role=Role.SYSTEM_ADMIN)
    login(client, "sys")
    header = ["姓名", "单位", "工号", *(f"列{n}" + "长" * 3000 for n in range(25))]
    for data, name in ((_xlsx(header), "people.xlsx"), (",".join(header).encode(), "people.csv")):
        response = upload(client, data, name)
        page = response.get_data(as_text=True)
        assert response.status_code == 400, re.sub(r"\s+", " ", page)[-1500:]
        assert "无法识别的列“列0" in page, re.sub(r"\s+", " ", page)[-1500:]
        assert "…”" in page and re.search(r"等 \d+ 列", page)
        assert len(page) < 20_000, len(page)


def test_a_huge_unknown_bank_key_is_quoted_short():
    key = "k" * 100_000
    text = f"bank: demo\ntitle: 演示\ntopics:\n  t: 主题\n? {key}\n: 1\nquestions: []\n"
    _bank, report = parse_bank(text.encode(), "demo.yaml")
    messages = [d.message for d in report.errors]
    assert any("未知字段“kkkk" in m for m in messages), messages
    assert all(len(m) <= 501 for m in messages)
