"""The unit tree: reading it in one query, and creating, renaming and moving units.

Unit names never contain "/", which separates the levels of a unit path
(市财政局/办公室) in imports; sibling units have distinct names, so a path names one unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from app.admin.access import unit_scope
from app.extensions import db
from app.models import Unit, User
from app.models.audit import record
from app.refusal import Refused


class UnitRefused(Refused):
    """A unit change that would break the tree, with the reason for the admin."""


@dataclass
class Node:
    id: int
    name: str
    children: list[Node] = field(default_factory=list)


def _all_units() -> list[tuple[int, str, int | None]]:
    return list(db.session.execute(select(Unit.id, Unit.name, Unit.parent_id).order_by(Unit.name)))


def unit_paths() -> dict[int, str]:
    """Every unit's full path from the top, e.g. 市级机关工委/市财政局/办公室."""
    rows = {unit_id: (name, parent) for unit_id, name, parent in _all_units()}
    paths: dict[int, str] = {}

    def path(unit_id: int) -> str:
        if unit_id not in paths:
            name, parent = rows[unit_id]
            paths[unit_id] = f"{path(parent)}/{name}" if parent in rows else name
        return paths[unit_id]

    for unit_id in rows:
        path(unit_id)
    return paths


def tree_for(user: User) -> list[Node]:
    """The units the user administers as a forest: all of them, or their own subtree."""
    rows = _all_units()
    nodes = {unit_id: Node(unit_id, name) for unit_id, name, _ in rows}
    roots = []
    scope = unit_scope(user)
    for unit_id, _, parent in rows:
        if parent in nodes:
            nodes[parent].children.append(nodes[unit_id])
        if scope is None and parent is None:
            roots.append(nodes[unit_id])
    if scope is not None and user.unit_id in nodes:
        roots = [nodes[user.unit_id]]
    return roots


def _check_name(name: str, parent_id: int | None, exclude: int | None = None) -> str:
    name = name.strip()
    if not name or "/" in name or len(name) > 200:
        raise UnitRefused("单位名称不能为空、不能含“/”、不超过 200 个字")
    clash = select(Unit.id).where(Unit.name == name, Unit.parent_id == parent_id)
    if db.session.scalar(clash.where(Unit.id != exclude) if exclude else clash):
        raise UnitRefused(f"同一上级单位下已有“{name}”")
    return name


def create_unit(name: str, parent: Unit | None, actor: User) -> Unit:
    unit = Unit(name=_check_name(name, parent.id if parent else None), parent=parent)
    db.session.add(unit)
    db.session.flush()
    record(actor, "unit.create", unit_paths()[unit.id], after={"name": unit.name})
    db.session.commit()
    return unit


def rename_unit(unit: Unit, name: str, actor: User) -> None:
    before = unit_paths()[unit.id]
    unit.name = _check_name(name, unit.parent_id, exclude=unit.id)
    record(actor, "unit.rename", before, before=before, after=_path_now(unit))
    db.session.commit()


def move_unit(unit: Unit, parent: Unit | None, actor: User) -> None:
    """Put a unit (with its subtree) under another parent; never under itself or below."""
    if parent is not None and parent.id in unit.subtree_ids():
        raise UnitRefused("不能把单位移到它自己或它的下级单位之下")
    _check_name(unit.name, parent.id if parent else None, exclude=unit.id)
    before = unit_paths()[unit.id]
    unit.parent = parent
    record(actor, "unit.move", before, before=before, after=_path_now(unit))
    db.session.commit()


def _path_now(unit: Unit) -> str:
    db.session.flush()
    return unit_paths()[unit.id]


def unit_choices(user: User, exclude: set[int] = frozenset()) -> list[tuple[int, str]]:
    """(id, full path) of the units the user administers, for a select, in path order."""
    scope = unit_scope(user)
    paths = unit_paths()
    return sorted(
        ((i, p) for i, p in paths.items() if (scope is None or i in scope) and i not in exclude),
        key=lambda choice: choice[1],
    )
