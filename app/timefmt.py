"""Local time, written once: times are stored in UTC and shown, typed and dated in the
configured zone (``TIMEZONE``, Asia/Shanghai by default). Also points as people write them."""

from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def to_local(moment: datetime) -> datetime:
    """The same moment, on the local clock (zone-aware)."""
    return moment.astimezone(local_zone())


def wall_clock(moment: datetime) -> datetime:
    """Local wall-clock time without a zone, as forms and spreadsheets hold it."""
    return to_local(moment).replace(tzinfo=None)


def from_wall_clock(local: datetime) -> datetime:
    """A local wall-clock time (as typed in a form or on the command line) in UTC."""
    return local.replace(tzinfo=local_zone()).astimezone(UTC)


def local_date(moment: datetime) -> date:
    """The local calendar date of ``moment``: certificates and days are dated by it."""
    return to_local(moment).date()


def local_midnight(day: date) -> datetime:
    """The start of a local calendar day, zone-aware."""
    return datetime.combine(day, time(), local_zone())


def localtime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    return to_local(value).strftime(fmt)


def script_time(moment: datetime) -> str:
    """A moment for the pages' scripts: UTC with milliseconds and a Z, the one form
    ECMAScript's ``Date.parse`` must read in every browser (Python's microseconds and
    ``+00:00`` are left to each engine's own rules)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def points(value: Decimal | str | None) -> str:
    """1.50 → 1.5, 2.00 → 2: points as a person writes them."""
    if value is None:
        return ""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
