"""Web forms name fields by their labels, not by YAML keys (issue 13, defect 9)."""

from __future__ import annotations

import re

import pytest

from app.form_words import in_form_words
from app.models import Role
from tests.app.bank_admin_fixtures import admin_client, post_form, publish_small
from tests.app.exam_fixtures import open_sitting
from tests.app.test_admin_exams import form_fields, post
from tests.auth import login
from tests.factories import make_user


@pytest.mark.parametrize(
    ("message", "words"),
    [
        ("fill 题不应有 options；请删除，或更改 type", "填空题不应有“选项”；请删除，或更改“题型”"),
        ("pass_mark 应为分数（如 60）", "“合格线”应为分数（如 60）"),
        ("题目 q-1 的 answer 不对", "题目 q-1 的“答案”不对"),  # ids stay as they are
    ],
)
def test_yaml_keys_become_labels(message, words):
    labels = {"options": "选项", "type": "题型", "pass_mark": "合格线", "answer": "答案"}
    assert in_form_words(message, labels) == words


def test_the_question_editor_speaks_in_its_labels(client, ctx):
    publish_small()
    admin_client(client)
    form = {"id": "new-1", "type": "fill", "topic": "t1", "difficulty": "3",
            "stem": "党的基层组织是________。", "options": "甲\n乙", "answer": "战斗堡垒",
            "source": "测试", "seen_version": 1}  # fmt: skip
    html = post_form(client, "/admin/banks/small/questions/new", form).get_data(as_text=True)
    errors = " ".join(re.findall(r'class="(?:error|flash[^"]*)"[^>]*>(.*?)</', html, re.S))
    assert "填空题不应有“选项”" in errors and "options" not in errors


def test_the_exam_form_speaks_in_its_labels_and_shows_every_problem(client, ctx):
    make_user("candidate")
    open_sitting()
    make_user("admin", role=Role.SYSTEM_ADMIN)
    login(client, "admin")
    fields = form_fields(pass_mark="abc", time_limit_minutes="-5")
    html = post(client, "/admin/exams/new", fields).get_data(as_text=True)
    errors = " ".join(re.findall(r'class="(?:error|flash[^"]*)"[^>]*>(.*?)</', html, re.S))
    assert "“合格线”应为分数" in errors and "“限时（分钟）”" in errors
    assert not re.search(r"pass_mark|time_limit_minutes", errors), errors
