"""The public verification page and its JSON form, the QR link, rate limits, the Host header."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, timedelta
from io import BytesIO

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import select

from app.certificate.revocation import revoke
from app.extensions import db
from app.models import Attempt, Certificate
from app.models.types import utcnow
from certificates.numbers import format_number
from tests.app.certificate_fixtures import (
    COMPETENCY,
    open_sitting,
    setup_exams,
    take,
)
from tests.auth import csrf_token, login
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("signing", "fresh_catalog")
PUBLIC_DETAILS = {
    "number", "holder_name", "title", "level", "issued_on", "expires_on", "issuer",
    "revoked_on", "revoked_reason",
}  # fmt: skip


@pytest.fixture
def issued(ctx) -> Certificate:
    setup_exams()
    user = make_user("wang", name="王喆", position="党支部书记")
    take(user, open_sitting(COMPETENCY, [user]), 5)
    return db.session.scalar(select(Certificate))


def ask(client, number: str, name: str, method: str = "get"):
    if method == "get":
        return client.get("/verify.json", query_string={"number": number, "name": name})
    return client.post("/verify.json", json={"number": number, "name": name})


def swapped(number: str) -> str:
    """The number with two adjacent digits of its sequence swapped (a typical slip)."""
    head, sequence, check = number.rsplit("-", 2)[0], number.split("-")[2], number[-2:]
    i = next(i for i in range(len(sequence) - 1) if sequence[i] != sequence[i + 1])
    sequence = sequence[:i] + sequence[i + 1] + sequence[i] + sequence[i + 2 :]
    return f"{head}-{sequence}-{check}"


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_valid_certificate_matches_its_number_and_name(client, issued, method):
    typed = issued.number.lower().replace("-", " ")
    body = ask(client, typed, " 王　喆 ", method).get_json()  # spaces, full-width space
    assert body["status"] == "valid"
    assert body["certificate"]["holder_name"] == "王喆" and body["certificate"]["level"] == "优秀"
    assert set(body["certificate"]) == PUBLIC_DETAILS  # no username, unit, position or id


def test_expired_and_revoked_are_told_with_date_and_reason(client, issued):
    issued.expires_on = date.today() - timedelta(days=400)
    issued.issued_on = issued.expires_on - timedelta(days=1000)
    db.session.commit()
    expired = ask(client, issued.number, "王喆").get_json()
    assert expired["status"] == "expired" and str(issued.expires_on) in expired["message"]
    revoke(issued.number, "违规取得", None, utcnow())
    revoked = ask(client, issued.number, "王喆").get_json()
    assert revoked["status"] == "revoked" and "违规取得" in revoked["message"]
    assert revoked["certificate"]["revoked_reason"] == "违规取得"
    assert revoked["certificate"]["revoked_on"] in revoked["message"]


def test_a_wrong_name_reads_exactly_like_an_unknown_number(client, issued):
    unknown = format_number("ZN", issued.issued_on.year, 999)
    by_number = ask(client, unknown, "王喆").get_json()
    by_name = ask(client, issued.number, "李四").get_json()
    assert by_number == by_name
    assert by_number["status"] == "unknown" and by_number["certificate"] is None


@pytest.mark.parametrize(
    ("typed", "status"),
    [(swapped, "mistyped"), (lambda n: n[:-1] + ("0" if n[-1] != "0" else "1"), "mistyped"),
     (lambda n: "not-a-number", "malformed")],
)  # fmt: skip
def test_check_character_errors_are_reported_as_mistyped(client, issued, typed, status):
    body = ask(client, typed(issued.number), "王喆").get_json()
    assert body["status"] == status and body["certificate"] is None
    if status == "mistyped":
        assert "校验码不符" in body["message"]


def test_json_needs_both_number_and_name(client, issued):
    response = client.get("/verify.json", query_string={"number": issued.number})
    assert response.status_code == 400 and response.get_json()["status"] == "incomplete"


@pytest.mark.parametrize(
    ("name", "shown"),
    [("王喆", "证书有效"), ("李四", "没有编号与持证人姓名均相符的证书")],
)
def test_the_verify_page_answers_without_login(client, issued, name, shown):
    token = csrf_token(client, "/verify")
    html = client.post(
        "/verify", data={"number": issued.number, "name": name, "csrf_token": token}
    ).get_data(as_text=True)
    assert shown in html
    assert ("优秀" in html) is (name == "王喆")


def test_the_verify_page_says_mistyped(client, issued):
    token = csrf_token(client, "/verify")
    html = client.post(
        "/verify", data={"number": swapped(issued.number), "name": "王喆", "csrf_token": token}
    ).get_data(as_text=True)
    assert "编号有误" in html and "校验码不符" in html


def test_the_qr_link_shows_the_details_and_nothing_more(client, issued):
    html = client.get(f"/v/{issued.token}").get_data(as_text=True)
    for expected in ("王喆", "职业能力认证证书", "优秀", issued.number, str(issued.expires_on)):
        assert expected in html
    assert "党支部书记" not in html and "wang" not in html
    body = client.get(f"/v/{issued.token}.json").get_json()
    assert body["status"] == "valid" and set(body["certificate"]) == PUBLIC_DETAILS
    assert client.get("/v/not-a-token").status_code == 404
    assert client.get("/v/not-a-token.json").status_code == 404


def test_look_ups_are_rate_limited_per_client_address(app, client, issued, monkeypatch):
    monkeypatch.setitem(app.config, "VERIFY_LOOKUPS_PER_MINUTE", 3)
    for _ in range(3):
        assert ask(client, issued.number, "王喆").status_code == 200
    limited = ask(client, issued.number, "王喆")
    assert limited.status_code == 429 and limited.get_json()["status"] == "rate_limited"
    assert client.get(f"/v/{issued.token}").status_code == 429
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    assert ask(other, issued.number, "王喆").status_code == 200


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils")
def test_pdf_links_come_from_the_public_base_url_not_the_host_header(
    app, ctx, tmp_path, monkeypatch
):
    setup_exams()
    user = make_user("zhou", name="周七")
    sitting = open_sitting(COMPETENCY, [user])
    monkeypatch.setitem(app.config, "SERVER_NAME", "evil.example")  # every request's Host
    client = app.test_client()
    client.environ_base["HTTP_X_FORWARDED_HOST"] = "evil.example"
    login(client, "zhou")
    token = csrf_token(client, f"/sessions/{sitting.id}")
    client.post(f"/sessions/{sitting.id}", data={"csrf_token": token})
    attempt = user_attempt(user.id)
    for item in attempt.items:
        item.response = "A"
    db.session.commit()
    token = csrf_token(client, f"/attempts/{attempt.id}")
    response = client.post(f"/attempts/{attempt.id}/submit", data={"csrf_token": token})
    assert response.status_code == 302 and response.request.host == "evil.example"
    certificate = db.session.scalar(select(Certificate))
    expected = f"{app.config['PUBLIC_BASE_URL'].rstrip('/')}/v/{certificate.token}"
    assert qr_payloads(certificate.pdf, tmp_path) == [expected]
    assert "evil.example" not in expected


def user_attempt(user_id: int) -> Attempt:
    return db.session.scalar(select(Attempt).where(Attempt.user_id == user_id))


def qr_payloads(pdf: bytes, tmp_path) -> list[str]:
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "150", str(path), str(tmp_path / "p")], check=True)
    data = next(tmp_path.glob("p*.png")).read_bytes()
    with Image.open(BytesIO(data)) as page:
        return [code.text for code in zxingcpp.read_barcodes(page.convert("L"))]


def test_a_damaged_qr_link_explains_itself_and_offers_the_look_up(client, ctx):
    """Defect 14: a generic 404 sent an anonymous verifier to the login page."""
    reply = client.get("/v/AbCdEf-damaged")
    html = reply.get_data(as_text=True)
    assert reply.status_code == 404
    assert "此二维码链接无法识别" in html and 'name="number"' in html and 'name="name"' in html
    assert "/login" not in html.split("<main", 1)[-1].split("</main>", 1)[0]
