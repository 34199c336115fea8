"""The upload page in every format, the Excel template, and the kept source file."""

from __future__ import annotations

import io
from pathlib import Path

from app.bank.services import load_version
from question_bank.formats import read_bank
from tests.app.bank_admin_fixtures import admin_client, post_form

FIXTURES = Path(__file__).resolve().parents[1] / "question_bank" / "formats" / "fixtures"
BASE = "/admin/banks"


def upload(client, path: Path, **fields):
    data = {"file": (io.BytesIO(path.read_bytes()), path.name)} | fields
    return post_form(client, f"{BASE}/upload", data, content_type="multipart/form-data")


def test_the_excel_template_has_a_sample_row_of_every_type(client, ctx):
    admin_client(client)
    response = client.get(f"{BASE}/template.xlsx")
    assert response.status_code == 200
    bank = read_bank(response.data, "template.xlsx").bank
    assert sorted({q.type for q in bank.questions}) == ["fill", "judge", "multiple", "single"]
    assert "下载 Excel 模板" in client.get(f"{BASE}/upload").get_data(as_text=True)


def test_an_excel_upload_is_published_and_its_file_kept(client, ctx):
    admin_client(client)
    response = upload(client, FIXTURES / "good.xlsx")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert post_form(client, response.headers["Location"] + "/publish", {}).status_code == 302
    version, content = load_version("demo-xlsx")
    assert len(content.questions) == 5 and version.source_name == "good.xlsx"
    kept = client.get(f"{BASE}/demo-xlsx/versions/1/source")
    assert kept.data == (FIXTURES / "good.xlsx").read_bytes()
    assert (
        read_bank(client.get(f"{BASE}/demo-xlsx/versions/1.yaml").data, "v1.yaml").bank == content
    )


def test_a_gift_upload_takes_the_bank_id_and_title_from_the_form(client, ctx):
    admin_client(client)
    response = upload(client, FIXTURES / "good.gift", bank="from-gift", title="GIFT 题库")
    assert response.status_code == 302
    assert post_form(client, response.headers["Location"] + "/publish", {}).status_code == 302
    _, content = load_version("from-gift")
    assert content.title == "GIFT 题库" and len(content.questions) == 5


def test_errors_of_a_word_upload_stand_beside_their_paragraphs(client, ctx):
    admin_client(client)
    html = upload(client, FIXTURES / "broken.docx").get_data(as_text=True)
    assert "发现 3 个错误" in html
    assert '<span class="lineno">7</span><code>这一段既不是题目也不是选项</code>' in html
    assert "第 7 段：无法识别这一段" in html and "第 7 行：" not in html


def test_an_unknown_extension_is_refused_with_the_accepted_ones(client, ctx):
    admin_client(client)
    html = post_form(
        client,
        f"{BASE}/upload",
        {"file": (io.BytesIO(b"%PDF-1.4"), "bank.pdf")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "无法从扩展名“.pdf”判断格式" in html and ".xlsx" in html
