"""The admin areas shown in the admin navigation: (endpoint, title, roles allowed).

An area appears once its blueprint is registered, so the navigation never links to a
page that does not exist.
"""

from __future__ import annotations

from flask import current_app

AREAS = (
    ("admin.index", "管理首页", ("unit_admin", "system_admin")),
    ("admin_banks.index", "题库", ("system_admin",)),
    ("admin_exams.index", "试卷与场次", ("system_admin",)),
    ("admin_people.index", "人员与单位", ("unit_admin", "system_admin")),
    ("admin_results.index", "成绩与统计", ("unit_admin", "system_admin")),
    ("admin_certificates.index", "证书", ("system_admin",)),
    ("admin_audit.index", "审计日志", ("system_admin",)),
)


def admin_areas() -> list[tuple[str, str, tuple[str, ...]]]:
    return [area for area in AREAS if area[0] in current_app.view_functions]
