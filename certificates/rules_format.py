"""The certification rules YAML format: reading and validating it, every problem at once.

The same code path serves the CLI, the admin upload and the defaults shipped in
``certificates/rules.yaml``; problems are reported as ``FILE:LINE:COL: message`` in
Chinese, using the question bank's YAML reader so that both files behave alike.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection
from datetime import timedelta
from decimal import Decimal
from importlib import resources

from ruamel.yaml.nodes import Node

from certificates.numbers import PREFIX
from certificates.rules import CertificateType, CertificationRules, Level, RetakePolicy, Validity
from certificates.rules_checks import check_prerequisites, check_unique
from question_bank.diagnostics import Report, SourceError
from question_bank.nodes import NodeReader, read_document

MAX_BYTES = 256 * 1024
RULES_FIELDS = ("version", "issuer", "certificate_types")
TYPE_FIELDS = (
    "id", "title", "number_prefix", "names_position", "exams", "pass_mark", "levels",
    "validity", "retake", "prerequisites",
)  # fmt: skip
TYPE_REQUIRED = ("id", "title", "number_prefix", "exams", "pass_mark", "validity", "retake")
RETAKE_FIELDS = ("attempts_per_period", "period_days", "wait_hours")
TYPE_ID = re.compile(r"[a-z0-9-]{2,64}")
EXAM_CODE = re.compile(r"[a-z0-9-]{2,64}")
SCORE = re.compile(r"[0-9]{1,4}(\.[0-9]{1,2})?")


def parse_rules(
    data: bytes, filename: str = "<rules>", known_exams: Collection[str] | None = None
) -> tuple[CertificationRules | None, Report]:
    """Read and validate a rules file; the rules are None whenever there is any error.

    Given ``known_exams`` (the exam codes defined in the system), unknown codes are errors.
    """
    report = Report(filename)
    document = read_document(
        data, report, kind="认证规则", owner="规则文件", max_bytes=MAX_BYTES,
        known=RULES_FIELDS, required=RULES_FIELDS,
        empty_message="规则文件为空；至少需要 version、issuer 和 certificate_types",
    )  # fmt: skip
    if document is None:
        return None, report
    reader, fields = document
    version = reader.text(fields["version"][1], "version") if "version" in fields else None
    issuer = reader.text(fields["issuer"][1], "issuer") if "issuer" in fields else None
    types: list[CertificateType] = []
    if "certificate_types" in fields:
        types = _types(fields["certificate_types"][1], report, known_exams)
    if not report.ok or version is None or issuer is None:
        return None, report
    digest = hashlib.sha256(data).hexdigest()
    return CertificationRules(version.strip(), issuer.strip(), tuple(types), digest), report


def load_default_rules() -> CertificationRules:
    """The rules shipped beside this module; a broken default file is a programming error."""
    data = (resources.files("certificates") / "rules.yaml").read_bytes()
    rules, report = parse_rules(data, "certificates/rules.yaml")
    if rules is None:
        raise SourceError(report.ordered)
    return rules


def _types(
    node: Node, report: Report, known_exams: Collection[str] | None
) -> list[CertificateType]:
    reader = NodeReader(report, "规则文件")
    items = reader.sequence(node, "certificate_types")
    if items is None:
        return []
    if not items:
        reader.error(node, "certificate_types", "certificate_types 为空；至少定义一种证书类型")
    types: list[tuple[Node, CertificateType]] = []
    for item in items:
        parsed = _type(item, report, known_exams)
        if parsed is not None:
            types.append((item, parsed))
    check_unique(types, report)
    check_prerequisites(types, report)
    return [t for _, t in types]


def _type(
    node: Node, report: Report, known_exams: Collection[str] | None
) -> CertificateType | None:
    fields = NodeReader(report, "证书类型").mapping(node, "certificate_types", TYPE_FIELDS)
    if fields is None:
        return None
    type_id = _type_id(fields, node, report)
    reader = NodeReader(report, f"证书类型 {type_id or '?'}", type_id)
    for name in TYPE_REQUIRED:
        if name not in fields and name != "id":
            reader.error(node, name, f"缺少必填字段“{name}”")

    def value(name: str) -> Node | None:
        return fields[name][1] if name in fields else None

    title = reader.text(value("title"), "title") if value("title") is not None else None
    prefix = _prefix(value("number_prefix"), reader)
    names_position = (
        reader.boolean(value("names_position"), "names_position")
        if value("names_position") is not None
        else False
    )
    exams = _exams(value("exams"), reader, known_exams)
    pass_mark = _score(value("pass_mark"), reader, "pass_mark")
    levels = _levels(value("levels"), reader, pass_mark)
    validity = _validity(value("validity"), reader)
    retake = _retake(value("retake"), reader)
    prerequisites = _prerequisites(value("prerequisites"), reader)
    parts = (type_id, title, prefix, names_position, exams, pass_mark, levels, validity, retake)
    if any(part is None for part in parts) or prerequisites is None:
        return None
    return CertificateType(
        type_id, title, prefix, exams, pass_mark, validity, retake, levels,
        prerequisites, names_position,
    )  # fmt: skip


def _type_id(fields: dict[str, tuple[Node, Node]], owner: Node, report: Report) -> str | None:
    reader = NodeReader(report, "证书类型")
    if "id" not in fields:
        reader.error(owner, "id", "缺少必填字段“id”")
        return None
    node = fields["id"][1]
    type_id = reader.text(node, "id")
    if type_id is not None and not TYPE_ID.fullmatch(type_id):
        reader.error(
            node, "id", f"类型编号“{type_id}”不合规；只能用小写字母、数字和“-”，长 2 到 64 个字符"
        )
        return None
    return type_id


def _prefix(node: Node | None, reader: NodeReader) -> str | None:
    text = reader.text(node, "number_prefix") if node is not None else None
    if text is not None and not PREFIX.fullmatch(text):
        reader.error(
            node, "number_prefix", f"编号前缀“{text}”不合规；应为 2 到 4 个大写字母，如 RQ"
        )
        return None
    return text


def _exams(
    node: Node | None, reader: NodeReader, known: Collection[str] | None
) -> tuple[str, ...] | None:
    items = reader.sequence(node, "exams") if node is not None else None
    if items is None:
        return None
    if not items:
        reader.error(node, "exams", "exams 为空；至少列出一个考试代码")
        return None
    codes: list[str] = []
    for item in items:
        code = reader.text(item, "exams")
        if code is None:
            continue
        if not EXAM_CODE.fullmatch(code):
            reader.error(item, "exams", f"考试代码“{code}”不合规；只能用小写字母、数字和“-”")
        elif known is not None and code not in known:
            reader.error(item, "exams", f"考试代码“{code}”不存在；请先定义该考试或改正代码")
        elif code in codes:
            reader.error(item, "exams", f"考试代码“{code}”重复列出")
        else:
            codes.append(code)
    return tuple(codes) if len(codes) == len(items) else None


def _score(node: Node | None, reader: NodeReader, field: str) -> Decimal | None:
    if node is None:
        return None
    text = reader.text(node, field)
    if text is None:
        return None
    if not SCORE.fullmatch(text.strip()):
        reader.error(
            node, field, f"{field} 应为分数（如 60 或 59.5，至多两位小数），而不是“{text}”"
        )
        return None
    return Decimal(text.strip())


def _levels(
    node: Node | None, reader: NodeReader, pass_mark: Decimal | None
) -> tuple[Level, ...] | None:
    if node is None:
        return ()
    items = reader.sequence(node, "levels")
    if items is None:
        return None
    levels: list[Level] = []
    sound = True
    for item in items:
        fields = reader.mapping(item, "levels", ("name", "min_score"))
        if fields is None or not {"name", "min_score"} <= fields.keys():
            if fields is not None:
                reader.error(
                    item, "levels", "每个等级需要 name 和 min_score，如 {name: 优秀, min_score: 90}"
                )
            sound = False
            continue
        name = reader.text(fields["name"][1], "name")
        low = _score(fields["min_score"][1], reader, "min_score")
        if name is None or low is None:
            sound = False
            continue
        if any(level.name == name for level in levels):
            reader.error(item, "levels", f"等级名称“{name}”重复")
            sound = False
        elif levels and low >= levels[-1].min_score:
            reader.error(
                fields["min_score"][1],
                "levels",
                f"等级应按分数线从高到低排列，且分数线互不相同；“{name}”的 {low} 不低于上一等级的 {levels[-1].min_score}",
            )
            sound = False
        levels.append(Level(name, low))
    if sound and levels and pass_mark is not None and levels[-1].min_score != pass_mark:
        reader.error(
            node,
            "levels",
            f"最低等级“{levels[-1].name}”的分数线 {levels[-1].min_score} 应等于合格线 {pass_mark}，使每个合格成绩都有等级",
        )
        sound = False
    return tuple(levels) if sound else None


def _validity(node: Node | None, reader: NodeReader) -> Validity | None:
    fields = reader.mapping(node, "validity", ("years", "months")) if node is not None else None
    if fields is None:
        return None
    if len(fields) != 1:
        reader.error(node, "validity", "validity 须且只须写 years 或 months 之一，如 {years: 3}")
        return None
    unit, (_, value) = next(iter(fields.items()))
    high = 50 if unit == "years" else 600
    amount = reader.integer(value, f"validity.{unit}", 1, high)
    if amount is None:
        return None
    return Validity(amount * 12 if unit == "years" else amount)


def _retake(node: Node | None, reader: NodeReader) -> RetakePolicy | None:
    fields = reader.mapping(node, "retake", RETAKE_FIELDS) if node is not None else None
    if fields is None:
        return None
    bounds = {"attempts_per_period": (1, 100), "period_days": (1, 3650), "wait_hours": (0, 8760)}
    values: dict[str, int] = {}
    for name, (low, high) in bounds.items():
        if name not in fields:
            reader.error(node, f"retake.{name}", f"retake 缺少必填字段“{name}”")
            continue
        amount = reader.integer(fields[name][1], f"retake.{name}", low, high)
        if amount is not None:
            values[name] = amount
    if len(values) != len(bounds):
        return None
    return RetakePolicy(
        values["attempts_per_period"],
        timedelta(days=values["period_days"]),
        timedelta(hours=values["wait_hours"]),
    )


def _prerequisites(node: Node | None, reader: NodeReader) -> tuple[str, ...] | None:
    if node is None:
        return ()
    items = reader.sequence(node, "prerequisites")
    if items is None:
        return None
    names = [reader.text(item, "prerequisites") for item in items]
    return None if None in names else tuple(names)
