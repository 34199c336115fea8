"""Public verification (no login): by number and name, or by the QR link; HTML and JSON."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request

from app.bounds import read_json
from app.extensions import csrf
from app.models.types import utcnow
from app.timefmt import local_date
from app.verify.forms import VerifyForm
from app.verify.ratelimit import allow
from app.verify.services import by_token, check_number_and_name

bp = Blueprint("verify", __name__)
LIMITED = "查询过于频繁，请一分钟后再试。"


def _within_limit() -> bool:
    """Every look-up counts against the client's address (set ProxyFix behind a proxy)."""
    limit = current_app.config["VERIFY_LOOKUPS_PER_MINUTE"]
    return allow(f"verify:{request.remote_addr or '-'}", limit)


@bp.route("/verify", methods=["GET", "POST"])
def page():
    form = VerifyForm()
    verdict = None
    if form.validate_on_submit():
        if not _within_limit():
            return render_template("verify/page.html", form=form, limited=LIMITED), 429
        verdict = check_number_and_name(form.number.data, form.name.data, local_date(utcnow()))
    return render_template("verify/page.html", form=form, verdict=verdict)


@bp.route("/verify.json", methods=["GET", "POST"])
@csrf.exempt  # read-only and cookie-less: nothing for a forged request to abuse
def page_json():
    if request.is_json:
        values = read_json()
        if values is None:
            return jsonify(status="invalid", message="请求格式不正确，应为 JSON 对象。"), 400
    else:
        values = request.values
    number, name = str(values.get("number") or ""), str(values.get("name") or "")
    if not number.strip() or not name.strip():
        return jsonify(
            status="incomplete", message="请同时提供证书编号（number）和持证人姓名（name）。"
        ), 400
    if not _within_limit():
        return jsonify(status="rate_limited", message=LIMITED), 429
    return jsonify(check_number_and_name(number, name, local_date(utcnow())).as_json())


@bp.route("/v/<token>")
def token_page(token: str):
    if not _within_limit():
        return render_template("verify/page.html", form=VerifyForm(), limited=LIMITED), 429
    verdict = by_token(token, local_date(utcnow()))
    if verdict is None:
        # A damaged or mistyped QR link: say so, and offer the look-up by number and name
        # here, rather than a generic error page that sends a verifier to the login page.
        return render_template("verify/page.html", form=VerifyForm(), broken_link=True), 404
    return render_template("verify/token.html", verdict=verdict)


@bp.route("/v/<token>.json")
def token_json(token: str):
    if not _within_limit():
        return jsonify(status="rate_limited", message=LIMITED), 429
    verdict = by_token(token, local_date(utcnow()))
    if verdict is None:
        return jsonify(status="unknown", message="没有与此链接对应的证书。", certificate=None), 404
    return jsonify(verdict.as_json())
