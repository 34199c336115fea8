"""``flask cert``: the signing key, listing, revoking, re-issuing and retrying certificates."""

from __future__ import annotations

import sys
import time
from datetime import datetime
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.certificate.access import pending
from app.certificate.pdfs import PdfNotStored, waiting_for_pdf
from app.certificate.revocation import reissue, revoke
from app.certificate.services import CertificateNotFound, IssueRefused, issue_for_attempt
from app.certificate.setup import current_rules, fonts, signing_identity
from app.extensions import db
from app.labels import label
from app.models import Attempt, Certificate, User
from app.models.types import utcnow
from app.timefmt import local_date, localtime
from certificates.signing import create_signing_identity

cert_cli = AppGroup("cert", help="证书")


def _actor(username: str | None) -> User | None:
    if username is None:
        return None
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.BadParameter(f"找不到用户 {username}", param_hint="--by")
    return user


@cert_cli.command("init-key")
def init_key() -> None:
    """创建签名密钥和自签名证书（已存在则保留），并预热证书字体。"""
    identity = signing_identity()
    existed = identity.key_path.exists() and identity.cert_path.exists()
    create_signing_identity(Path(identity.key_path.parent), current_rules().issuer)
    click.echo(f"签名证书：{identity.cert_path}" + ("（已存在）" if existed else "（已创建）"))
    started = time.monotonic()
    fonts()
    click.echo(f"证书字体已就绪（{time.monotonic() - started:.1f} 秒）")


@cert_cli.command("list")
@click.option("--all", "show_all", is_flag=True, help="包括已撤销的证书")
def list_certificates(show_all: bool) -> None:
    """列出已签发的证书。"""
    query = select(Certificate).order_by(Certificate.issued_at)
    if not show_all:
        query = query.where(Certificate.revoked_at.is_(None))
    today = local_date(utcnow())
    for c in db.session.scalars(query):
        state = label(c.status(today), "status")
        level = f" {c.level}" if c.level else ""
        click.echo(
            f"{c.number}\t{c.holder_name}\t{c.title}{level}\t{c.issued_on}—{c.expires_on}\t{state}"
        )
    _echo_pending()


def _echo_pending() -> bool:
    """Passes owed a certificate, and certificates numbered without their PDF yet (with
    how long they have waited and why); False if there are none."""
    owed, unfinished, now = pending(), waiting_for_pdf(), utcnow()
    if owed:
        click.echo(f"\n未能签发（{len(owed)}）：", err=True)
    for item in owed:
        user = item.attempt.user
        click.echo(
            f"作答 {item.attempt.id}\t{user.name}（{user.username}）\t{item.title}\t"
            f"{item.reason or '原因未记录，见应用日志'}",
            err=True,
        )
    if unfinished:
        click.echo(f"\n已编号、PDF 尚未生成（{len(unfinished)}）：", err=True)
    for c in unfinished:
        click.echo(
            f"作答 {c.attempt_id}\t{c.number}\t{c.holder_name}\t{c.title}\t"
            f"已等待 {_waited(c.issued_at, now)}\t{_pdf_state(c)}",
            err=True,
        )
    return bool(owed or unfinished)


def _waited(since: datetime, now: datetime) -> str:
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} 分钟"
    if minutes < 48 * 60:
        return f"{minutes // 60} 小时 {minutes % 60} 分钟"
    return f"{minutes // (24 * 60)} 天"


def _pdf_state(certificate: Certificate) -> str:
    if not certificate.pdf_failures:
        return "正在生成（如长时间未完成，系统会自动补全）"
    return (
        f"生成失败 {certificate.pdf_failures} 次，{localtime(certificate.pdf_retry_at)} 后自动重试："
        f"{certificate.pdf_error}"
    )


@cert_cli.command("pending")
def list_pending() -> None:
    """列出已合格但未能签发证书的作答及原因（如姓名含无法打印的字），以及尚未生成 PDF 的证书。"""
    if not _echo_pending():
        click.echo("没有待签发的证书。")


@cert_cli.command("issue")
@click.argument("attempt_id", type=int)
def issue(attempt_id: int) -> None:
    """为已合格的作答重新尝试签发证书、补全未生成的 PDF（问题解决后使用）。"""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None:
        click.echo(f"找不到作答 {attempt_id}", err=True)
        sys.exit(1)
    try:
        outcome = issue_for_attempt(attempt, utcnow(), retry_failed=True)
    except PdfNotStored as failed:
        click.echo(
            f"证书 {failed.number} 的 PDF 未能生成（第 {failed.failures} 次失败）：{failed.error}",
            err=True,
        )
        sys.exit(1)
    for certificate in outcome.issued:
        click.echo(f"已签发 {certificate.number}（{certificate.title}）")
    if outcome.completed:
        click.echo(f"已补全 {outcome.completed} 份证书的 PDF。")
    for title, reason in outcome.refused:
        click.echo(f"未签发{title}：{reason}", err=True)
    if not outcome.issued and not outcome.refused and not outcome.completed:
        click.echo("没有需要签发的证书（未合格，或已签发）。")
    sys.exit(1 if outcome.refused else 0)


@cert_cli.command("revoke")
@click.argument("number")
@click.option("--reason", required=True, help="撤销原因（会显示在核验页面）")
@click.option("--by", "username", help="操作人用户名（记入审计日志）")
def revoke_command(number: str, reason: str, username: str | None) -> None:
    """撤销证书。"""
    try:
        certificate = revoke(number, reason, _actor(username), utcnow())
    except (CertificateNotFound, IssueRefused) as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(f"已撤销 {certificate.number}：{certificate.revoked_reason}")


@cert_cli.command("reissue")
@click.argument("number")
@click.option("--by", "username", help="操作人用户名（记入审计日志）")
def reissue_command(number: str, username: str | None) -> None:
    """换发证书：新编号、按持证人现用姓名，原证书标记为已换发（撤销）。"""
    try:
        new = reissue(number, _actor(username), utcnow())
    except (CertificateNotFound, IssueRefused) as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(f"已换发：{new.reissued_from.number} → {new.number}")
