"""Importing people: upload → every problem, or a preview of who is new, who changes
and how → confirm (optionally registering them all for a sitting) → passwords once.

Between preview and confirm the checked table travels in the page, signed with the app's
secret key and bound to the importer, so no server keeps state and nothing can be
slipped in, together with the fingerprint of what the preview showed: confirming checks
it all again against the database and, if anything differs, previews again instead.
"""

from __future__ import annotations

import base64

from flask import Response, current_app, render_template
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from app.admin.people.forms import ConfirmImportForm, ImportForm, as_choices
from app.admin.people.import_apply import STALE, ImportClash, ImportStale, apply_import
from app.admin.people.import_plan import Plan, field_title, plan_import, shown
from app.admin.people.importing import TEMPLATE_EXAMPLE, TEMPLATE_HEADER, Check, check_table
from app.admin.people.tabular import Table, TableError, read_table
from app.admin.people.units import unit_choices, unit_paths
from app.extensions import db
from app.models import Sitting, User
from app.models.types import utcnow
from app.sheets import as_text, csv_bytes, text_xlsx
from app.timefmt import local_date, localtime

MAX_IMPORT_BYTES = 2 * 1024 * 1024
SEAL_MAX_AGE = 3600  # seconds between preview and confirm
EXPIRED = "预览已过期或无效，请重新上传文件"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="people-import")


def _seal(table: Table, actor: User, filename: str, plan: Plan) -> str:
    """The table and what confirming it would do, as previewed."""
    return _serializer().dumps(
        [actor.id, filename, table.header, table.rows, table.encoding, plan.fingerprint()]
    )


def _unseal(token: str, actor: User) -> tuple[Table, str, str]:
    try:
        by, filename, header, rows, encoding, fingerprint = _serializer().loads(
            token, max_age=SEAL_MAX_AGE
        )
    except (BadSignature, ValueError):
        raise TableError(EXPIRED) from None
    if by != actor.id:
        raise TableError(EXPIRED)
    return Table(header, [(n, cells) for n, cells in rows], encoding), filename, fingerprint


def _read_upload(storage) -> Table:
    """The size is checked before anything is parsed."""
    data = storage.stream.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise TableError(
            f"文件过大：人员名单不能超过 {MAX_IMPORT_BYTES // 1024 // 1024} MB，请分成几个文件"
        )
    return read_table(data)


def _form_page(form: ImportForm, problems=(), status: int = 200):
    page = render_template("admin/people/import.html", form=form, problems=problems)
    return page, status


def _problems_page(problems, status: int = 400):
    return _form_page(ImportForm(formdata=None), problems, status)


def _sitting_choices() -> list[tuple[int, str]]:
    """Sittings not yet over: those the imported people can still be registered for."""
    found = db.session.scalars(
        select(Sitting).where(Sitting.closes_at > utcnow()).order_by(Sitting.opens_at)
    )
    return [(0, "不报名"), *((s.id, f"{s.title}（{localtime(s.opens_at)} 起）") for s in found)]


def _checked(table: Table) -> tuple[Check, Plan]:
    check = check_table(table, current_user, local_date(utcnow()))
    return check, plan_import(check.candidates, current_user)


def _preview(table, filename, check, plan, form=None, notice=None, status=200):
    """New, changed, unchanged and conflicting rows; a confirm form only without conflicts."""
    form = form or ConfirmImportForm(formdata=None)
    form.token.data = _seal(table, current_user, filename, plan)
    form.sitting.choices = as_choices(_sitting_choices())
    page = render_template(
        "admin/people/preview.html", check=check, plan=plan, confirm=form, filename=filename,
        table=table, unit_paths=unit_paths(), notice=notice, shown=shown, field_title=field_title,
    )  # fmt: skip
    return page, 400 if plan.conflicts else status


def import_people():
    form = ImportForm()
    if not form.validate_on_submit():
        return _form_page(form, status=400 if form.is_submitted() else 200)
    filename = (form.file.data.filename or "upload")[:100]
    try:
        table = _read_upload(form.file.data)
    except TableError as exc:
        return _form_page(form, [(0, str(exc))], 400)
    check, plan = _checked(table)
    if not check.ok:
        problems = sorted([*check.problems, *plan.conflicts], key=lambda p: p[0])
        return _form_page(form, problems or [(0, "文件中没有人员")], 400)
    return _preview(table, filename, check, plan)


def confirm_import():
    form = ConfirmImportForm()
    form.sitting.choices = as_choices(_sitting_choices())
    try:
        table, filename, fingerprint = _unseal(form.token.data or "", current_user)
    except TableError as exc:
        return _problems_page([(0, str(exc))])
    check, plan = _checked(table)
    if not check.ok:
        return _problems_page(sorted([*check.problems, *plan.conflicts], key=lambda p: p[0]))
    if not form.validate_on_submit():
        return _preview(table, filename, check, plan, form, status=400)
    if plan.fingerprint() != fingerprint:
        return _preview(table, filename, check, plan, form, STALE, 409)
    sitting = db.session.get(Sitting, form.sitting.data) if form.sitting.data else None
    try:
        outcome = apply_import(plan, current_user, filename, sitting)
    except ImportStale as stale:
        return _preview(table, filename, *_checked(table), form, stale.message, 409)
    except ImportClash as clash:
        return _problems_page([(0, clash.message)], 409)
    rows = [("姓名", "用户名", "初始密码"), *((u.name, u.username, p) for u, p in outcome.created)]
    sheet = csv_bytes([as_text(value) for value in row] for row in rows)
    page = render_template(
        "admin/people/imported.html", outcome=outcome, sitting=sitting,
        sheet=base64.b64encode(sheet).decode(), paths=unit_paths(),
    )  # fmt: skip
    return page, 200, {"Cache-Control": "no-store"}


def _example_row() -> tuple[object, ...]:
    """The sample row names a unit that exists: the admin's own, or the deepest they manage,
    so the template imports as downloaded."""
    paths = dict(unit_choices(current_user))
    unit = paths.get(current_user.unit_id) or max(paths.values(), key=len, default=None)
    example = list(TEMPLATE_EXAMPLE)
    if unit:
        example[3] = unit
    return tuple(example)


def import_template(kind: str):
    rows = [TEMPLATE_HEADER, _example_row()]
    if kind == "xlsx":
        data, mimetype = text_xlsx(rows), XLSX_TYPE
    else:
        data = csv_bytes([as_text(value) for value in row] for row in rows)
        mimetype = "text/csv; charset=utf-8"
    name = f"people-template.{kind}"
    return Response(
        data, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={name}"}
    )
