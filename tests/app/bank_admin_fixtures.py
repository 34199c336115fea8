"""A small bank for the bank admin tests, and helpers to log in and post its forms."""

from __future__ import annotations

from app.bank.services import publish
from app.models import Role
from question_bank.bank_format import parse_bank
from tests.auth import csrf_token, login
from tests.factories import make_user

SMALL_BANK = """\
bank: small
title: 小题库
topics:
  t1: 主题一
  t2: 主题二
questions:
  - id: s-1
    type: single
    topic: t1
    difficulty: 2
    stem: 党的最高领导机关是（　）。
    options: {A: 全国代表大会, B: 中央政治局}
    answer: A
    source: 党章第十条
    tags: [组织原则]
  - id: m-1
    type: multiple
    topic: t1
    stem: 下列属于党的纪律处分的有（　）。
    options: {A: 警告, B: 严重警告, C: 降级}
    answer: AB
    source: 党章第四十一条
  - id: j-1
    type: judge
    topic: t2
    stem: 预备党员的预备期为一年。
    answer: 对
    source: 党章第七条
  - id: f-1
    type: fill
    topic: t2
    difficulty: 4
    stem: 党的基层组织是党在社会基层组织中的________。
    answer: [战斗堡垒]
    source: 党章第三十条
"""


def publish_small(text: str = SMALL_BANK):
    bank, report = parse_bank(text.encode())
    assert report.ok, report.errors
    return publish(bank)


def admin_client(client, username: str = "admin"):
    user = make_user(username, role=Role.SYSTEM_ADMIN, name="系统管理员甲")
    login(client, username)
    return user


def post_form(client, path: str, data: dict, **kwargs):
    """Post as a page's form would, with the session's CSRF token."""
    token = csrf_token(client, "/admin/banks/upload")
    return client.post(path, data={"csrf_token": token} | data, **kwargs)
