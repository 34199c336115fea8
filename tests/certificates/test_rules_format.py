"""The rules file format: a valid file parses; each malformed one is named at its line."""

from __future__ import annotations

from importlib import resources

import pytest

from certificates.rules_format import parse_rules

VALID = """\
version: "t1"
issuer: 测试机关
certificate_types:
  - id: pre-appointment
    title: 任前党务知识测试合格证明
    number_prefix: RQ
    names_position: true
    exams: [secretary-pre-appointment]
    pass_mark: 60
    validity: {years: 3}
    retake: {attempts_per_period: 3, period_days: 30, wait_hours: 24}
  - id: competency
    title: 职业能力认证证书
    number_prefix: ZN
    exams: [party-affairs-competency]
    pass_mark: 60
    levels:
      - {name: 优秀, min_score: 90}
      - {name: 合格, min_score: 60}
    validity: {months: 36}
    retake: {attempts_per_period: 3, period_days: 30, wait_hours: 24}
    prerequisites: [pre-appointment]
"""


def test_valid_file_parses():
    rules, report = parse_rules(VALID.encode(), "r.yaml")
    assert report.ok and rules is not None
    assert rules.type("competency").prerequisites == ("pre-appointment",)
    assert rules.type("competency").validity.months == 36


def test_shipped_defaults_are_valid():
    data = (resources.files("certificates") / "rules.yaml").read_bytes()
    _, report = parse_rules(data, "rules.yaml")
    assert report.ok, [d.format() for d in report.ordered]


def _edit(old: str, new: str) -> str:
    assert old in VALID
    return VALID.replace(old, new, 1)


CASES = [
    # (file text, line, field, words in the message)
    (_edit('version: "t1"\n', ""), 1, "version", "缺少必填字段“version”"),
    (
        _edit("    pass_mark: 60\n    validity: {years", "    pass_mrk: 60\n    validity: {years"),
        9,
        "pass_mrk",
        "是否应为“pass_mark”",
    ),
    (
        _edit("number_prefix: ZN", "number_prefix: RQ"),
        12,
        "number_prefix",
        "已被证书类型 pre-appointment 使用",
    ),
    (_edit("id: competency", "id: pre-appointment"), 12, "id", "类型编号“pre-appointment”重复"),
    (_edit("number_prefix: RQ", "number_prefix: rq"), 6, "number_prefix", "应为 2 到 4 个大写字母"),
    (
        _edit("pass_mark: 60\n    validity: {years", "pass_mark: 六十\n    validity: {years"),
        9,
        "pass_mark",
        "应为分数",
    ),
    (
        _edit("names_position: true", "names_position: yes"),
        7,
        "names_position",
        "应为 true 或 false",
    ),
    (_edit("{name: 合格, min_score: 60}", "{name: 合格, min_score: 95}"), 19, "levels", "从高到低"),
    (
        _edit("{name: 合格, min_score: 60}", "{name: 合格, min_score: 70}"),
        18,
        "levels",
        "应等于合格线 60",
    ),
    (
        _edit("{name: 合格, min_score: 60}", "{name: 优秀, min_score: 60}"),
        19,
        "levels",
        "等级名称“优秀”重复",
    ),
    (
        _edit("validity: {months: 36}", "validity: {months: 36, years: 3}"),
        20,
        "validity",
        "years 或 months 之一",
    ),
    (
        _edit("validity: {years: 3}", "validity: {years: 0}"),
        10,
        "validity.years",
        "1 到 50 之间的整数",
    ),
    (
        _edit("wait_hours: 24}\n  - id", "wait_hours: -1}\n  - id"),
        11,
        "retake.wait_hours",
        "0 到 8760",
    ),
    (
        _edit("period_days: 30, wait_hours: 24}\n  - id", "wait_hours: 24}\n  - id"),
        11,
        "retake.period_days",
        "缺少必填字段“period_days”",
    ),
    (
        _edit("prerequisites: [pre-appointment]", "prerequisites: [leader]"),
        12,
        "prerequisites",
        "前置证书类型“leader”未定义",
    ),
    (
        _edit("prerequisites: [pre-appointment]", "prerequisites: [competency]"),
        12,
        "prerequisites",
        "不能以自身为前置条件",
    ),
    (_edit("exams: [secretary-pre-appointment]", "exams: []"), 8, "exams", "至少列出一个考试代码"),
    (
        _edit("exams: [party-affairs-competency]", "exams: [Party Affairs]"),
        15,
        "exams",
        "考试代码“Party Affairs”不合规",
    ),
    (_edit("    title: 职业能力认证证书\n", ""), 12, "title", "缺少必填字段“title”"),
    (_edit("issuer: 测试机关", "issuer：测试机关"), 2, "issuer", "全角冒号"),
    (_edit("  - id: competency", "\t- id: competency"), 12, None, "制表符"),
    (_edit("version:", "version:\nversion:"), 2, "version", "重复"),
]


@pytest.mark.parametrize(("text", "line", "field", "words"), CASES)
def test_malformed_rules_are_named_at_their_line(text, line, field, words):
    rules, report = parse_rules(text.encode(), "rules.yaml")
    assert rules is None
    matching = [d for d in report.errors if words in d.message]
    assert matching, [d.format() for d in report.errors]
    diagnostic = matching[0]
    assert (diagnostic.line, diagnostic.field) == (line, field), diagnostic.format()
    assert diagnostic.format().startswith(f"rules.yaml:{line}:")


def test_prerequisite_cycle():
    text = _edit(
        "    names_position: true\n", "    names_position: true\n    prerequisites: [competency]\n"
    )
    rules, report = parse_rules(text.encode(), "rules.yaml")
    assert rules is None
    assert sum("构成循环" in d.message for d in report.errors) == 2


def test_unknown_exam_when_exams_are_known():
    _, report = parse_rules(VALID.encode(), "r.yaml", known_exams={"secretary-pre-appointment"})
    (error,) = report.errors
    assert (error.line, error.field) == (15, "exams")
    assert "考试代码“party-affairs-competency”不存在" in error.message


@pytest.mark.parametrize("data", [b"", b"# only a comment\n", b"\xef\xbb\xbf\n"])
def test_empty_file(data):
    rules, report = parse_rules(data, "rules.yaml")
    assert rules is None and "规则文件为空" in report.errors[0].message


def test_gbk_file_is_named():
    rules, report = parse_rules(VALID.encode("gb18030"), "rules.yaml")
    assert rules is None and "GB18030" in report.errors[0].message


def test_every_problem_is_reported_at_once():
    text = _edit("number_prefix: RQ", "number_prefix: rq").replace("pass_mark: 60", "pass_mark: x")
    _, report = parse_rules(text.encode(), "rules.yaml")
    assert len(report.errors) >= 3
