"""Issuing certificates after a pass, retake waits, downloads and the ``flask cert`` commands."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.exam.attempts import AttemptRefused
from app.exam.starting import start_attempt
from app.extensions import db
from app.models import AuditEntry, Certificate, Role, Unit
from app.models.types import utcnow
from certificates.numbers import parse_number
from certificates.pdf_signature import verify_pdf
from certificates.rules_format import load_default_rules
from tests.app.certificate_fixtures import (
    COMPETENCY,
    SECRETARY,
    open_sitting,
    setup_exams,
    take,
    trust_root,
)
from tests.auth import login
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("signing", "fresh_catalog")


def certificates() -> list[Certificate]:
    return list(db.session.scalars(select(Certificate).order_by(Certificate.id)))


def pdf_text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize(
    ("right", "level"), [(5, "优秀"), (4, "良好"), (3, "合格"), (2, None)]
)  # 20 points per right answer: 100, 80, 60 (the pass mark, at the band edges), 40
def test_a_pass_earns_a_certificate_with_its_level_and_a_fail_none(ctx, right, level):
    setup_exams()
    user = make_user("wang", name="王喆")
    attempt = take(user, open_sitting(COMPETENCY, [user]), right)
    assert attempt.passed is (level is not None)
    issued = certificates()
    if level is None:
        assert issued == []
        return
    [certificate] = issued
    rules = load_default_rules()
    assert (certificate.level, certificate.holder_name, certificate.attempt_id) == (
        level,
        "王喆",
        attempt.id,
    )
    assert certificate.title == "职业能力认证证书" and certificate.position is None
    assert certificate.expires_on == rules.type("competency").expiry_for(certificate.issued_on)
    assert (certificate.rules_version, certificate.rules_digest) == (rules.version, rules.digest)
    assert parse_number(certificate.number).prefix == "ZN"
    assert len(certificate.token) >= 32


def test_the_pdf_reads_back_and_its_signature_holds_until_a_byte_changes(ctx, app):
    setup_exams()
    user = make_user("li", name="李堃")
    take(user, open_sitting(COMPETENCY, [user]), 5)
    [certificate] = certificates()
    text = pdf_text(certificate.pdf)
    for expected in ("李堃", certificate.number, "职业能力认证证书", "优秀"):
        assert expected in text
    assert verify_pdf(certificate.pdf, trust_root(app)).ok
    changed = bytearray(certificate.pdf)
    changed[len(changed) // 3] ^= 0x01
    assert not verify_pdf(bytes(changed), trust_root(app)).ok


def test_numbers_run_in_sequence_per_prefix_and_year(ctx):
    setup_exams()
    users = [make_user(f"u{i}", name=f"考生{i}") for i in range(3)]
    sitting = open_sitting(COMPETENCY, users)
    for user in users:
        take(user, sitting, 5)
    numbers = [parse_number(c.number) for c in certificates()]
    assert [n.sequence for n in numbers] == [1, 2, 3]
    assert {n.year for n in numbers} == {certificates()[0].issued_on.year}


def test_the_pre_appointment_pass_names_the_position(ctx):
    setup_exams()
    user = make_user("zhao", name="赵昇", position="机关党委书记")
    take(user, open_sitting(SECRETARY, [user]), 3)
    [certificate] = certificates()
    assert certificate.title == "任前党务知识测试合格证明"
    assert certificate.position == "机关党委书记" and certificate.level is None
    assert "机关党委书记" in pdf_text(certificate.pdf)


def test_a_name_the_fonts_cannot_print_is_refused_and_listed_for_admins(ctx, runner):
    setup_exams()
    user = make_user("odd", name="王\U00030000")  # CJK Extension G: no configured font has it
    attempt = take(user, open_sitting(COMPETENCY, [user]), 5)
    assert attempt.passed and attempt.score == 100  # the score is kept
    assert certificates() == []
    refusal = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "certificate.refused")
    )
    assert "U+30000" in refusal.details["reason"]
    result = runner.invoke(args=["cert", "pending"])
    assert f"作答 {attempt.id}" in result.output and "U+30000" in result.output
    user.name = "王三"
    db.session.commit()
    result = runner.invoke(args=["cert", "issue", str(attempt.id)])
    assert result.exit_code == 0 and "已签发" in result.output
    assert [c.holder_name for c in certificates()] == ["王三"]


def test_an_emoji_in_a_name_is_refused_and_listed_for_admins(ctx, runner):
    setup_exams()
    user = make_user("emoji", name="王小明😀")
    attempt = take(user, open_sitting(COMPETENCY, [user]), 5)
    assert attempt.passed and certificates() == []
    result = runner.invoke(args=["cert", "pending"])
    assert f"作答 {attempt.id}" in result.output
    assert "“😀”（U+1F600）是表情或图形符号，证书上不予打印" in result.output


def test_a_failure_while_issuing_keeps_the_score_and_can_be_retried(ctx, app, runner, monkeypatch):
    setup_exams()
    user = make_user("gong", name="龚䶮")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr("certificates.pdf_signature.sign_pdf", broken)
        attempt = take(user, open_sitting(COMPETENCY, [user]), 4)
    db.session.expire_all()
    assert attempt.finalized and attempt.score == 80
    [numbered] = certificates()  # numbered (no gap), its PDF not stored
    assert not numbered.pdf_ready and attempt.certificates_checked_at is None
    result = runner.invoke(args=["cert", "issue", str(attempt.id)])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    [certificate] = certificates()
    assert certificate.number == numbered.number and certificate.level == "良好"
    assert certificate.pdf_ready and verify_pdf(certificate.pdf, trust_root(app)).ok


def test_prerequisites_are_checked_at_issuance(ctx, app, tmp_path, monkeypatch):
    rules = (app.config["CERT_RULES_FILE"]).read_text(encoding="utf-8")
    rules = rules.replace("# prerequisites: [pre-appointment]", "prerequisites: [pre-appointment]")
    path = tmp_path / "rules.yaml"
    path.write_text(rules, encoding="utf-8")
    monkeypatch.setitem(app.config, "CERT_RULES_FILE", path)
    setup_exams()
    user = make_user("qian", name="钱一", position="党支部书记")
    take(user, open_sitting(COMPETENCY, [user]), 5)
    assert certificates() == []
    take(user, open_sitting(SECRETARY, [user]), 5)
    assert [c.type_id for c in certificates()] == ["pre-appointment"]


def test_a_retake_too_soon_is_refused_with_when_it_is_allowed(ctx):
    setup_exams()
    user = make_user("sun")
    sitting = open_sitting(COMPETENCY, [user])
    first = utcnow() - timedelta(hours=2)
    take(user, sitting, 1, first)
    with pytest.raises(AttemptRefused) as refused:
        start_attempt(user, sitting, None, utcnow())
    assert "两次测试之间须间隔 24 小时" in refused.value.message
    allowed = (first + timedelta(hours=24)).astimezone(ZoneInfo("Asia/Shanghai"))
    assert f"下次可于 {allowed:%Y年%m月%d日 %H:%M} 之后参加" in refused.value.message
    assert start_attempt(user, sitting, None, first + timedelta(hours=25)).number == 2


def test_candidates_download_their_own_certificates_only(ctx, client):
    setup_exams()
    owner = make_user("owner", name="周一")
    make_user("other", name="吴二")
    take(owner, open_sitting(COMPETENCY, [owner]), 5)
    [certificate] = certificates()
    url = f"/certificates/{certificate.id}.pdf"
    assert client.get(url).status_code == 302  # to the login page
    login(client, "other")
    assert client.get(url).status_code == 404
    assert client.get("/certificates/999999.pdf").status_code == 404
    assert client.get("/certificates/unit.zip").status_code == 404
    owner_client = client.application.test_client()
    login(owner_client, "owner")
    page = owner_client.get("/").get_data(as_text=True)
    assert certificate.number in page and url in page
    response = owner_client.get(url)
    assert response.status_code == 200 and response.data == certificate.pdf


def test_a_unit_admin_downloads_exactly_their_unit_subtree(ctx, client, runner):
    setup_exams()
    bureau = Unit(name="市财政局")
    office = Unit(name="办公室", parent=bureau)
    other = Unit(name="市教育局")
    db.session.add_all([bureau, office, other])
    db.session.commit()
    holders = {
        "a": make_user("a", name="甲", unit=bureau),
        "b": make_user("b", name="乙", unit=office),
        "c": make_user("c", name="丙", unit=other),
        "d": make_user("d", name="丁", unit=office),
    }
    sitting = open_sitting(COMPETENCY, list(holders.values()))
    for user in holders.values():
        take(user, sitting, 5)
    numbers = {c.holder_name: c.number for c in certificates()}
    runner.invoke(args=["cert", "revoke", numbers["丁"], "--reason", "信息有误"])
    make_user("boss", role=Role.UNIT_ADMIN, unit=bureau)
    login(client, "boss")
    response = client.get("/certificates/unit.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        names = sorted(archive.namelist())
        assert names == sorted([f"{numbers['甲']}-甲.pdf", f"{numbers['乙']}-乙.pdf"])
        assert archive.read(names[0]) in {c.pdf for c in certificates()}
    exported = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "export.certificates")
    )
    assert (exported.actor.username, exported.target, exported.details["count"]) == (
        "boss",
        bureau.name,
        2,
    )
    by_id = {c.holder_name: c.id for c in certificates()}
    assert client.get(f"/certificates/{by_id['乙']}.pdf").status_code == 200
    assert client.get(f"/certificates/{by_id['丙']}.pdf").status_code == 404


def test_revoke_and_reissue_from_the_cli_are_audited(ctx, app, runner):
    setup_exams()
    user = make_user("feng", name="冯五")
    take(user, open_sitting(COMPETENCY, [user]), 5)
    [first] = certificates()
    user.name = "冯伍"  # a corrected name is the usual reason to re-issue
    db.session.commit()
    result = runner.invoke(args=["cert", "reissue", first.number.lower()])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    old, new = certificates()
    assert new.number != old.number and new.reissued_from_id == old.id
    assert (new.holder_name, new.level, new.expires_on) == ("冯伍", "优秀", old.expires_on)
    assert old.revoked_at is not None and new.number in old.revoked_reason
    assert verify_pdf(new.pdf, trust_root(app)).ok and "冯伍" in pdf_text(new.pdf)
    assert runner.invoke(args=["cert", "reissue", old.number]).exit_code == 1
    result = runner.invoke(args=["cert", "revoke", new.number, "--reason", "违规取得"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert certificates()[1].revoked_reason == "违规取得"
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert "certificate.reissue" in actions and "certificate.revoke" in actions
    listing = runner.invoke(args=["cert", "list", "--all"]).output
    assert old.number in listing and "已撤销" in listing


def test_an_issued_certificate_never_changes_when_the_rules_do(ctx, app, tmp_path, monkeypatch):
    setup_exams()
    user = make_user("chen", name="陈六")
    take(user, open_sitting(COMPETENCY, [user]), 5)
    [before] = certificates()
    snapshot = (before.number, before.rules_version, before.expires_on, before.pdf)
    rules = app.config["CERT_RULES_FILE"].read_text(encoding="utf-8")
    path = tmp_path / "rules.yaml"
    path.write_text(rules.replace('"2026.1"', '"2027.1"'), encoding="utf-8")
    monkeypatch.setitem(app.config, "CERT_RULES_FILE", path)
    db.session.expire_all()
    [after] = certificates()
    assert (after.number, after.rules_version, after.expires_on, after.pdf) == snapshot


def test_two_issuers_at_once_issue_one_certificate(ctx, app, monkeypatch):
    """The automatic issuance and `flask cert issue` racing for the same attempt."""
    import threading

    from app.certificate.services import issue_for_attempt
    from app.models import Attempt

    setup_exams()
    user = make_user("zhao", name="赵昇")
    with monkeypatch.context() as patch:  # finalize without issuing, as after a failure
        patch.setattr("app.certificate.services.issue_for_attempt", lambda *a, **k: None)
        attempt_id = take(user, open_sitting(COMPETENCY, [user]), 5).id
    assert certificates() == []
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def issue() -> None:
        with app.app_context():
            try:
                attempt = db.session.get(Attempt, attempt_id)
                barrier.wait()
                issue_for_attempt(attempt, utcnow())
            except BaseException as exc:
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=issue) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    db.session.expire_all()
    assert len(certificates()) == 1
