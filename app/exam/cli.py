"""``flask exam``, ``flask sessions`` and ``flask attempts``: exams from YAML, sittings, and
finalizing expired attempts (for a scheduler, e.g. cron every minute)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.exam.attempts import finalize_expired
from app.exam.exams import save_exam
from app.exam.review import record_opened_reviews
from app.exam.sittings import ExamRefused, SittingSpec, create_sitting
from app.extensions import db
from app.models import Unit
from app.models.types import utcnow
from app.timefmt import from_wall_clock
from question_bank.exam_format import MAX_EXAM_BYTES

exam_cli = AppGroup("exam", help="试卷规则")
sittings_cli = AppGroup("sessions", help="考试场次")
attempts_cli = AppGroup("attempts", help="作答记录")


@exam_cli.command("import")
@click.argument("files", nargs=-1, required=True)
def import_exams(files: tuple[str, ...]) -> None:
    """导入试卷规则（校验后保存；题库不能满足时拒绝并指出缺口）。"""
    failed = False
    for path in files:
        try:
            if Path(path).stat().st_size > MAX_EXAM_BYTES:
                raise ExamRefused([f"{path}:1:1: 错误: 文件过大，试卷规则不应超过 1 MB"])
            exam = save_exam(Path(path).read_bytes(), path)
        except OSError as exc:
            failed = True
            click.echo(f"{path}: 无法读取文件：{exc.strerror}", err=True)
        except ExamRefused as refused:
            failed = True
            db.session.rollback()
            for message in refused.messages:
                click.echo(message, err=True)
        else:
            click.echo(f"{path}: 已保存试卷规则 {exam.code}（{exam.title}）")
    sys.exit(1 if failed else 0)


def _local(text: str) -> datetime:
    try:
        return from_wall_clock(datetime.fromisoformat(text))
    except ValueError as exc:
        raise click.BadParameter(f"时间“{text}”格式应为 2026-12-01T09:00") from exc


@sittings_cli.command("create")
@click.option("--exam", "exam_code", required=True, help="试卷规则代码")
@click.option("--title", required=True)
@click.option("--opens", required=True, help="开始时间（本地时间），如 2026-12-01T09:00")
@click.option("--closes", required=True, help="结束时间（本地时间）")
@click.option("--user", "usernames", multiple=True, help="考生用户名，可重复")
@click.option("--unit", "units", multiple=True, help="单位名称（含下级单位），可重复")
@click.option("--access-code", help="考场口令")
@click.option("--max-attempts", default=1, show_default=True)
def create(exam_code, title, opens, closes, usernames, units, access_code, max_attempts) -> None:
    """创建考试场次。"""
    found = {u.name: u.id for u in db.session.scalars(select(Unit).where(Unit.name.in_(units)))}
    if set(units) - set(found):
        click.echo(f"找不到单位：{'、'.join(sorted(set(units) - set(found)))}", err=True)
        sys.exit(1)
    spec = SittingSpec(
        exam_code,
        title,
        _local(opens),
        _local(closes),
        usernames,
        tuple(found.values()),
        access_code,
        max_attempts,
    )
    try:
        sitting = create_sitting(spec)
    except ExamRefused as refused:
        click.echo("\n".join(refused.messages), err=True)
        sys.exit(1)
    click.echo(f"已创建考试场次 {sitting.id}：{sitting.title}")


@attempts_cli.command("finalize-expired")
def finalize_expired_command() -> None:
    """把超过截止时间仍未交卷的作答按已保存的答案交卷；场次结束后开放答案的，把错题记入错题本。"""
    now = utcnow()
    click.echo(f"已自动交卷 {finalize_expired(now)} 份")
    click.echo(f"已为 {record_opened_reviews(now)} 份答卷记录错题本")
