"""The admin areas shown in the admin navigation, in order.

An area appears to a user who may open it (``access.may``: its blueprint's roles), and
once its blueprint is registered, so the navigation never links to a page that does not
exist or that would refuse them.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import request

from app.admin.access import may


@dataclass(frozen=True)
class Area:
    endpoint: str
    title: str
    # Blueprints whose pages belong to the area (default: the endpoint's own).
    blueprints: tuple[str, ...] = ()

    def holds(self, blueprint: str | None) -> bool:
        return blueprint in (self.blueprints or (self.endpoint.partition(".")[0],))


@dataclass(frozen=True)
class AreaLink:
    endpoint: str
    title: str
    current: bool  # the page shown belongs to this area


AREAS = (
    Area("admin.index", "管理首页"),
    Area("admin_banks.index", "题库"),
    Area("admin_exams.index", "试卷与场次", ("admin_exams", "admin_sittings")),
    Area("admin_people.index", "人员与单位"),
    Area("admin_results.index", "成绩与统计"),
    Area("admin_certificates.index", "证书"),
    Area("admin_audit.index", "审计日志"),
)


def admin_areas() -> list[AreaLink]:
    """The areas the current user may open, marking the one the page shown belongs to."""
    return [
        AreaLink(area.endpoint, area.title, area.holds(request.blueprint))
        for area in AREAS
        if may(area.endpoint)
    ]
