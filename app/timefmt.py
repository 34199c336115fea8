"""Showing stored UTC times in the configured local zone (Asia/Shanghai by default)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app


def localtime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).strftime(fmt)
