"""Importing candidates from a table: check every row (``import_plan`` then sets the rows
against the people already there), then create and update all or nothing.

Usernames: the 工号 when the row has one, otherwise the 18-character 身份证号 (which
candidates already know by heart). Initial passwords are random and must be changed at
first login.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from app.admin.access import unit_scope
from app.admin.people.identity import (
    birth_date_of,
    clean_id_number,
    clean_mobile,
    normalize,
    parse_date,
)
from app.admin.people.names import (
    LookAlikes,
    NameRefused,
    clean_name,
    clean_username,
    look_alike_warning,
)
from app.admin.people.tabular import Table
from app.admin.people.units import unit_paths
from app.extensions import db
from app.models import User
from app.refusal import Refused
from question_bank.echo import quoted

# Column -> the header names accepted for it (compared after trimming).
COLUMNS = {
    "name": ("姓名",),
    "employee_number": ("工号", "职工号"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码"),
    "unit": ("单位", "所在单位"),
    "current_position": ("职务", "现任职务"),
    "position": ("拟任职务",),
    "phone": ("手机", "手机号", "手机号码"),
    "birth_date": ("出生日期",),
}
TEMPLATE_HEADER = ("姓名", "工号", "身份证号", "单位", "职务", "拟任职务", "手机", "出生日期")
TEMPLATE_EXAMPLE = ("张晓明", "CZ0001", "11010519491231002X", "市财政局/办公室", "科员", "党支部书记", "13800138000", "1949-12-31")  # fmt: skip
SHOWN_UNKNOWN = 5  # unknown columns named in the message; the rest are counted
LIMITS = {"name": 100, "employee_number": 32, "current_position": 100, "position": 100}


@dataclass
class Candidate:
    """One checked row, ready to become a user."""

    row: int
    name: str
    unit_id: int
    username: str
    employee_number: str | None = None
    id_number: str | None = None
    current_position: str | None = None
    position: str | None = None
    phone: str | None = None
    birth_date: date | None = None


class RowRefused(Refused):
    """A row with one or more problems."""


@dataclass
class Check:
    candidates: list[Candidate] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)  # (row, reason); row 0: the file
    warnings: list[tuple[int, str]] = field(default_factory=list)  # look-alikes: shown, not refused

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.candidates)


def map_header(header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Which column holds what, and what is wrong with the header."""
    names = {alias: key for key, aliases in COLUMNS.items() for alias in aliases}
    where: dict[str, int] = {}
    problems = []
    unknown = []
    for index, title in enumerate(header):
        key = names.get(title)
        if key is None:
            if title:
                unknown.append(title)
        elif key in where:
            problems.append(f"列{quoted(title)}重复")
        else:
            where[key] = index
    if unknown:
        listed = "、".join(quoted(title) for title in unknown[:SHOWN_UNKNOWN])
        more = f"等 {len(unknown)} 列" if len(unknown) > SHOWN_UNKNOWN else ""
        problems.append(f"无法识别的列{listed}{more}；可用的列名：{'、'.join(TEMPLATE_HEADER)}")
    missing = [title for key, title in (("name", "姓名"), ("unit", "单位")) if key not in where]
    if not {"employee_number", "id_number"} & where.keys():
        missing.append("工号或身份证号")
    if missing:
        problems.append(f"缺少必需的列：{'、'.join(missing)}（第 1 行应为列名）")
    return where, problems


def check_table(table: Table, actor: User, today: date) -> Check:
    """Every problem of every row; the file imports only if there is none."""
    where, header_problems = map_header(table.header)
    check = Check(problems=[(1, p) for p in header_problems])
    if header_problems:
        return check
    units = _units_by_path(actor)
    first_seen: dict[tuple[str, str], int] = {}
    for number, cells in table.rows:
        values = {key: cells[i].strip() if i < len(cells) else "" for key, i in where.items()}
        duplicate = _duplicate_in_file(number, values, first_seen)
        try:
            candidate = _candidate(number, values, units, today)
        except RowRefused as exc:
            check.problems.extend((number, reason) for reason in [*exc.messages, *duplicate])
            continue
        check.problems.extend((number, reason) for reason in duplicate)
        check.candidates.append(candidate)
    check.problems.sort(key=lambda problem: problem[0])
    check.warnings = _look_alikes(check.candidates, actor)
    return check


def _look_alikes(candidates: list[Candidate], actor: User) -> list[tuple[int, str]]:
    """Names and usernames that read like one already known (in the actor's scope, so
    nothing outside it is revealed) or like an earlier row's."""
    query = select(User.name, User.username)
    scope = unit_scope(actor)
    if scope is not None:
        query = query.where(User.unit_id.in_(scope))
    rows = db.session.execute(query).all()
    names = LookAlikes(name for name, _ in rows)
    usernames = LookAlikes(username for _, username in rows)
    warnings = []
    for c in candidates:
        for what, text, known in (("姓名", c.name, names), ("用户名", c.username, usernames)):
            warning = look_alike_warning(what, text, known.of(text))
            if warning:
                warnings.append((c.row, warning))
            known.add(text)
    return warnings


def _candidate(number: int, values: dict[str, str], units, today: date) -> Candidate:
    reasons = []
    for key, limit in LIMITS.items():
        if len(values.get(key, "")) > limit:
            reasons.append(f"{COLUMNS[key][0]}过长（最多 {limit} 个字符）")
    name = values["name"]
    if not name:
        reasons.append("缺少姓名")
    employee_number = normalize(values.get("employee_number", "")) or None
    try:
        name = clean_name(name)
        employee_number = clean_username(employee_number or "") or None
    except NameRefused as exc:
        reasons.append(str(exc))
    id_number = born = phone = None
    if values.get("id_number"):
        try:
            id_number = clean_id_number(values["id_number"], today)
        except ValueError as exc:
            reasons.append(str(exc))
    if not employee_number and not values.get("id_number"):
        reasons.append("工号和身份证号至少填写一项")
    if values.get("phone"):
        try:
            phone = clean_mobile(values["phone"])
        except ValueError as exc:
            reasons.append(str(exc))
    if values.get("birth_date"):
        try:
            born = parse_date(values["birth_date"], today)
        except ValueError as exc:
            reasons.append(str(exc))
    if id_number and born and born.strftime("%Y%m%d") != id_number[6:14]:
        reasons.append("出生日期与身份证号不一致")
    unit_id = _unit_for(values["unit"], units, reasons)
    if reasons:
        raise RowRefused(reasons)
    return Candidate(
        number, name, unit_id, employee_number or id_number, employee_number, id_number,
        values.get("current_position") or None, values.get("position") or None, phone,
        born or (birth_date_of(id_number) if id_number else None),
    )  # fmt: skip


def _units_by_path(actor: User) -> dict[str, list[int]]:
    """Each in-scope unit under its full path and every shorter ending of it."""
    scope = unit_scope(actor)
    found: dict[str, list[int]] = {}
    for unit_id, path in unit_paths().items():
        if scope is not None and unit_id not in scope:
            continue
        parts = path.split("/")
        for start in range(len(parts)):
            found.setdefault("/".join(parts[start:]), []).append(unit_id)
    return found


def _unit_for(text: str, units: dict[str, list[int]], reasons: list[str]) -> int:
    path = "/".join(part.strip() for part in normalize(text).split("/"))
    matches = units.get(path, [])
    if not path:
        reasons.append("缺少单位")
    elif not matches:
        reasons.append(f"找不到单位{quoted(text)}，或它不在您的管理范围内")
    elif len(matches) > 1:
        reasons.append(f"有多个单位叫{quoted(text)}，请连同上级单位写出，如 市财政局/办公室")
    return matches[0] if len(matches) == 1 else 0


def _duplicate_in_file(
    row: int, values: dict[str, str], first_seen: dict[tuple[str, str], int]
) -> list[str]:
    """The earlier rows with the same 工号 or 身份证号 (compared as normalized)."""
    reasons = []
    for key, kind in (("employee_number", "工号"), ("id_number", "身份证号")):
        value = normalize(values.get(key, "")).upper()
        if value:
            earlier = first_seen.setdefault((kind, value), row)
            if earlier != row:
                reasons.append(f"{kind}与第 {earlier} 行重复")
    return reasons
