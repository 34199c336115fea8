"""Quoting what a user sent inside a message, within bounds.

A hostile file can put megabytes into one header cell or YAML key; a message that
echoes it in full turns a 50 KB upload into a 47 MB error page (issue 10, item 17).
"""

from __future__ import annotations

ECHO_LIMIT = 40
MESSAGE_LIMIT = 500


def shown(text: object, limit: int = ECHO_LIMIT) -> str:
    """The text as echoed: at most ``limit`` characters, then "…"; line breaks as spaces."""
    text = " ".join(str(text).split()) if any(c in str(text) for c in "\r\n\t") else str(text)
    return text if len(text) <= limit else text[:limit] + "…"


def quoted(text: object, limit: int = ECHO_LIMIT) -> str:
    return f"“{shown(text, limit)}”"


def capped(message: str) -> str:
    """A whole message at most MESSAGE_LIMIT characters: the backstop for every echo."""
    return shown(message, MESSAGE_LIMIT)
