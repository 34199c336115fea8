"""Login slips (登录凭条) for a sitting: one per person, to cut out and hand over.

Passwords are stored only as hashes, so a slip never shows one: a person who still has
their one-time initial password is pointed to the password list their unit admin was
given when it was issued (import, or a reset); everyone else logs in with their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import select

from app.admin.access import unit_or_404
from app.admin.live.queries import roster
from app.admin.people.identity import mask_id_number
from app.admin.people.units import unit_paths
from app.extensions import db
from app.lookup import get_or_404
from app.models import Sitting, User

MAX_SLIPS = 2000  # one print job; a larger sitting prints unit by unit


@dataclass(frozen=True)
class Slip:
    name: str
    unit: str
    username: str
    username_note: str  # says the username is the person's ID number, shown masked
    initial_password: bool  # still has the one-time initial password


def _slip(person: User, paths: dict[int, str]) -> Slip:
    by_id_number = person.id_number is not None and person.username == person.id_number
    return Slip(
        name=person.name,
        unit=paths.get(person.unit_id, ""),
        username=mask_id_number(person.username) if by_id_number else person.username,
        username_note="本人身份证号" if by_id_number else "",
        initial_password=person.must_change_password,
    )


def slips(sitting_id: int):
    """The sitting's slips for the people this admin sees, optionally of one unit."""
    sitting = get_or_404(Sitting, sitting_id)
    unit_id = request.args.get("unit", "")
    unit = unit_or_404(int(unit_id)) if unit_id.isdigit() and len(unit_id) < 10 else None
    query = select(User).where(roster(sitting, current_user, unit))
    people = db.session.scalars(
        query.order_by(User.unit_id, User.name_pinyin, User.id).limit(MAX_SLIPS + 1)
    ).all()
    paths = unit_paths()
    return render_template(
        "admin/people/slips.html", sitting=sitting, unit=unit,
        slips=[_slip(p, paths) for p in people[:MAX_SLIPS]], cut=len(people) > MAX_SLIPS,
        paths=paths,
    )  # fmt: skip
