"""``flask users`` and ``flask demo``: accounts from the command line, and demo data."""

from __future__ import annotations

import sys
from datetime import timedelta

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from app.admin.people.names import (
    LookAlikes,
    NameRefused,
    clean_name,
    clean_username,
    look_alike_warning,
)
from app.exam.sittings import SittingSpec, create_sitting
from app.extensions import db
from app.models import Exam, Role, Sitting, Unit, User
from app.models.types import utcnow

users_cli = AppGroup("users", help="用户管理")
demo_cli = AppGroup("demo", help="演示数据")

DEMO_UNITS = ("市级机关工委", "市财政局", "市财政局办公室")
DEMO_USERS = (
    ("admin", "系统管理员", Role.SYSTEM_ADMIN, "市级机关工委", "admin-demo-2026"),
    ("unitadmin", "财政局管理员", Role.UNIT_ADMIN, "市财政局", "unit-demo-2026"),
    ("candidate", "张晓明", Role.CANDIDATE, "市财政局办公室", "candidate-demo-2026"),
)
# 拟任职务: the demo candidate takes the pre-appointment test for this post, so a pass
# issues the 任前党务知识测试合格证明 that names it.
DEMO_POSITIONS = {"candidate": "党支部书记"}


def ensure_unit_path(path: tuple[str, ...]) -> Unit:
    """The unit at the end of a chain of names, creating missing ones under their parent."""
    parent = None
    for name in path:
        unit = db.session.scalar(
            select(Unit).where(Unit.name == name, Unit.parent_id == (parent.id if parent else None))
        )
        if unit is None:
            unit = Unit(name=name, parent=parent)
            db.session.add(unit)
            db.session.flush()
        parent = unit
    return parent


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.CANDIDATE.value)
@click.option("--unit", "unit_path", help="单位路径，用“/”分隔，如 市财政局/办公室")
@click.password_option()
def create_user(username: str, name: str, role: str, unit_path: str | None, password: str) -> None:
    """创建用户。"""
    try:
        username, name = clean_username(username), clean_name(name)
        if unit_path:
            unit_path = "/".join(clean_name(part, "单位名称") for part in unit_path.split("/"))
    except NameRefused as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    if db.session.scalar(select(User).where(func.lower(User.username) == username.lower())):
        click.echo(f"用户名 {username} 已存在（用户名不区分大小写）", err=True)
        sys.exit(1)
    known = db.session.execute(select(User.username, User.name)).all()
    for what, text, index in (
        ("用户名", username, LookAlikes(u for u, _ in known)),
        ("姓名", name, LookAlikes(n for _, n in known)),
    ):
        warning = look_alike_warning(what, text, index.of(text))
        if warning:
            click.echo(f"注意：{warning}", err=True)
    unit = ensure_unit_path(tuple(unit_path.split("/"))) if unit_path else None
    if Role(role) is Role.UNIT_ADMIN and unit is None:
        click.echo("单位管理员必须指定 --unit", err=True)
        sys.exit(1)
    user = User(username=username, name=name, role=Role(role), unit=unit)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"已创建 {user.role_title} {username}")


@demo_cli.command("seed")
def seed() -> None:
    """创建演示单位和账号（已存在则跳过），可重复运行。"""
    units = {}
    for depth in range(len(DEMO_UNITS)):
        units[DEMO_UNITS[depth]] = ensure_unit_path(
            (DEMO_UNITS[0],) if depth == 0 else (DEMO_UNITS[0], *DEMO_UNITS[1 : depth + 1])
        )
    for username, name, role, unit_name, password in DEMO_USERS:
        existing = db.session.scalar(select(User).where(User.username == username))
        if existing:
            existing.position = existing.position or DEMO_POSITIONS.get(username)
            continue
        user = User(username=username, name=name, role=role, unit=units[unit_name])
        user.position = DEMO_POSITIONS.get(username)
        user.set_password(password)
        db.session.add(user)
        click.echo(f"演示账号 {username} / {password}（{user.role_title}）")
    db.session.commit()
    _seed_demo_sitting(units["市财政局"])


DEMO_SITTING = "演示场次：党组织书记任前党务知识测试"


def _seed_demo_sitting(unit: Unit) -> None:
    """An open sitting for the demo unit, so the demo candidate has a test to take."""
    if db.session.scalar(select(Sitting).where(Sitting.title == DEMO_SITTING)):
        return
    if db.session.scalar(select(Exam).where(Exam.code == "secretary-pre-appointment")) is None:
        click.echo("未导入试卷规则 secretary-pre-appointment，跳过演示场次")
        return
    now = utcnow()
    spec = SittingSpec(
        "secretary-pre-appointment", DEMO_SITTING, now - timedelta(minutes=1), now + timedelta(days=30),
        unit_ids=(unit.id,), max_attempts=3,
    )  # fmt: skip
    create_sitting(spec)
    click.echo(f"演示场次已开放 30 天：{DEMO_SITTING}（{unit.name}及下级单位）")
