"""A Word paper and then an Excel sheet uploaded in a real browser: the error shown
beside its paragraph or row, the corrected file diffed and published (Chromium)."""

from __future__ import annotations

import io

import docx
import pytest
from openpyxl import load_workbook

from app.bank.services import load_version
from app.models import Role
from question_bank.formats import write_bank
from tests.factories import make_user

pytestmark = [pytest.mark.browser]

PAPER = [
    "党务基本知识测试卷",
    "一、单选题",
    "1. 党的最高领导机关是（　）。",
    "A. 党的全国代表大会和它所产生的中央委员会",
    "B. 中央政治局",
    "答案：A",
    "出处：《中国共产党章程》第十条",
    "二、判断题",
    "2. 预备党员的预备期为一年。",
    "答案：√",
    "出处：《中国共产党章程》第七条",
]


def word_file(path, paragraphs: list[str]) -> str:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(path)
    return str(path)


def upload(page, path: str) -> None:
    page.set_input_files("#file", path)
    page.click("#submit")


def test_word_then_excel_upload_with_errors_beside_their_place(browser, live_url, ctx, tmp_path):
    make_user("admin", role=Role.SYSTEM_ADMIN)
    broken = [*PAPER[:5], "这一段不合任何规则", *PAPER[5:]]
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(f"{live_url}/login")
        page.fill("#username", "admin")
        page.fill("#password", "correct-horse-1")
        page.click("#submit")
        page.goto(f"{live_url}/admin/banks/upload")
        page.fill("#bank", "paper")
        upload(page, word_file(tmp_path / "paper-bad.docx", broken))
        page.wait_for_selector(".source-line.bad")
        bad = page.locator(".source-line.bad")
        assert bad.count() == 1 and "这一段不合任何规则" in bad.inner_text()
        assert bad.locator(".lineno").inner_text() == "6"
        assert "第 6 段：无法识别这一段“这一段不合任何规则”" in page.inner_text(".upload-errors")

        page.fill("#bank", "paper")
        upload(page, word_file(tmp_path / "paper.docx", PAPER))
        page.wait_for_selector("text=新增 2")
        page.click("input[value='发布']")
        page.wait_for_selector("text=已发布 paper 第 1 版")
        version, content = load_version("paper")
        assert content.title == "党务基本知识测试卷" and len(content.questions) == 2
        assert version.source_name == "paper.docx"

        sheet = load_workbook(io.BytesIO(write_bank(content, "xlsx").data))
        sheet["题目"]["N3"] = "也许"  # the judge answer of row 3
        sheet.save(tmp_path / "paper-bad.xlsx")
        page.goto(f"{live_url}/admin/banks/upload")
        upload(page, str(tmp_path / "paper-bad.xlsx"))
        page.wait_for_selector(".source-line.bad")
        bad = page.locator(".source-line.bad")
        assert bad.locator(".lineno").inner_text() == "3" and "也许" in bad.inner_text()
        assert "“题目”工作表第 3 行“答案”列（N）" in page.inner_text(".upload-errors")

        sheet["题目"]["N3"] = "错误"
        sheet.save(tmp_path / "paper.xlsx")
        upload(page, str(tmp_path / "paper.xlsx"))
        page.wait_for_selector("text=修改 1")
        assert "正确" in page.inner_text("td.old") and "错误" in page.inner_text("td.new")
        page.click("input[value='发布']")
        page.wait_for_selector("text=已发布 paper 第 2 版")
        assert load_version("paper")[1].questions[1].keys == ("false",)
    finally:
        context.close()
