"""``flask cert``: the signing key, listing, revoking, re-issuing and retrying certificates."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.certificate.access import pending
from app.certificate.services import (
    CertificateNotFound,
    IssueRefused,
    issue_for_attempt,
    reissue,
    revoke,
)
from app.certificate.setup import current_rules, fonts, signing_identity
from app.extensions import db
from app.labels import label
from app.models import Attempt, Certificate, User
from app.models.types import utcnow
from app.timefmt import local_date
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


def _echo_pending() -> None:
    owed = pending()
    if owed:
        click.echo(f"\n未能签发（{len(owed)}）：", err=True)
    for item in owed:
        user = item.attempt.user
        click.echo(
            f"作答 {item.attempt.id}\t{user.name}（{user.username}）\t{item.title}\t"
            f"{item.reason or '原因未记录，见应用日志'}",
            err=True,
        )


@cert_cli.command("pending")
def list_pending() -> None:
    """列出已合格但未能签发证书的作答及原因（如姓名含无法打印的字）。"""
    _echo_pending()
    if not pending():
        click.echo("没有待签发的证书。")


@cert_cli.command("issue")
@click.argument("attempt_id", type=int)
def issue(attempt_id: int) -> None:
    """为已合格的作答重新尝试签发证书（问题解决后使用）。"""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None:
        click.echo(f"找不到作答 {attempt_id}", err=True)
        sys.exit(1)
    outcome = issue_for_attempt(attempt, utcnow())
    for certificate in outcome.issued:
        click.echo(f"已签发 {certificate.number}（{certificate.title}）")
    for title, reason in outcome.refused:
        click.echo(f"未签发{title}：{reason}", err=True)
    if not outcome.issued and not outcome.refused:
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
