"""Display helpers: stored UTC times in the local zone (Asia/Shanghai by default), points."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app


def localtime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).strftime(fmt)


def points(value: Decimal | str | None) -> str:
    """1.50 → 1.5, 2.00 → 2: points as a person writes them."""
    if value is None:
        return ""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
