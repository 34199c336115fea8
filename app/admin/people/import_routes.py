"""Importing candidates: upload → every problem, or a preview → confirm → passwords once.

Between preview and confirm the checked table travels in the page, signed with the app's
secret key and bound to the importer, so no server keeps state and nothing can be
slipped in; confirming checks it all again against the database.
"""

from __future__ import annotations

import base64

from flask import Response, current_app, render_template
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.admin.people.accounts import ImportClash, create_candidates
from app.admin.people.forms import ConfirmImportForm, ImportForm
from app.admin.people.importing import TEMPLATE_EXAMPLE, TEMPLATE_HEADER, check_table
from app.admin.people.tabular import Table, TableError, read_table
from app.admin.people.units import unit_choices, unit_paths
from app.models import User
from app.models.types import utcnow
from app.sheets import as_text, csv_bytes, text_xlsx
from app.timefmt import local_date

MAX_IMPORT_BYTES = 2 * 1024 * 1024
SEAL_MAX_AGE = 3600  # seconds between preview and confirm
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="people-import")


def _seal(table: Table, actor: User, filename: str) -> str:
    return _serializer().dumps([actor.id, filename, table.header, table.rows, table.encoding])


def _unseal(token: str, actor: User) -> tuple[Table, str]:
    try:
        by, filename, header, rows, encoding = _serializer().loads(token, max_age=SEAL_MAX_AGE)
    except (BadSignature, ValueError):
        raise TableError("预览已过期或无效，请重新上传文件") from None
    if by != actor.id:
        raise TableError("预览已过期或无效，请重新上传文件")
    return Table(header, [(n, cells) for n, cells in rows], encoding), filename


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


def import_people():
    form = ImportForm()
    if not form.validate_on_submit():
        return _form_page(form, status=400 if form.is_submitted() else 200)
    filename = (form.file.data.filename or "upload")[:100]
    try:
        table = _read_upload(form.file.data)
    except TableError as exc:
        return _form_page(form, [(0, str(exc))], 400)
    check = check_table(table, current_user, local_date(utcnow()))
    if not check.ok:
        return _form_page(form, check.problems or [(0, "文件中没有人员")], 400)
    confirm = ConfirmImportForm(token=_seal(table, current_user, filename))
    return render_template(
        "admin/people/preview.html",
        check=check,
        confirm=confirm,
        filename=filename,
        table=table,
        unit_paths=unit_paths(),
    )


def confirm_import():
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        return _form_page(ImportForm(formdata=None), [(0, "预览已过期或无效，请重新上传文件")], 400)
    try:
        table, filename = _unseal(form.token.data, current_user)
    except TableError as exc:
        return _form_page(ImportForm(formdata=None), [(0, str(exc))], 400)
    check = check_table(table, current_user, local_date(utcnow()))
    if not check.ok:
        return _form_page(ImportForm(formdata=None), check.problems, 400)
    try:
        created = create_candidates(check, current_user, filename)
    except ImportClash as clash:
        return _form_page(ImportForm(formdata=None), [(0, str(clash))], 409)
    rows = [("姓名", "用户名", "初始密码"), *((u.name, u.username, p) for u, p in created)]
    sheet = csv_bytes([as_text(value) for value in row] for row in rows)
    page = render_template(
        "admin/people/imported.html", created=created, sheet=base64.b64encode(sheet).decode()
    )
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
