"""One exception for "the system will not do this", and the one place it becomes a reply.

A service raises ``Refused`` (or a subclass naming its area) with one or more messages in
Chinese, the HTTP status a JSON route answers with, and optionally problems located on
form fields. Views turn it into form errors or a flash with the helpers below; a JSON route
just lets it propagate and the handler in ``app.errors`` answers ``{"error": message}``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask import flash
from flask_wtf import FlaskForm

FORM_ONLY_FIELDS = ("", "csrf_token", "seen_version")  # not shown beside a field


class Refused(Exception):
    """A refusal with its reasons in the user's language.

    ``messages`` are shown as they are; ``errors`` maps form field names to messages (a
    name that the form lacks is shown above the form); ``status`` is for JSON replies.
    """

    def __init__(
        self,
        messages: str | Iterable[str] = (),
        status: int = 409,
        errors: Mapping[str, list[str]] | None = None,
    ) -> None:
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        self.errors = {name: list(found) for name, found in (errors or {}).items()}
        self.status = status
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """Every reason in one line, as a flash or a JSON error shows it."""
        located = [m for found in self.errors.values() for m in found]
        return "；".join([*self.messages, *located])

    def __str__(self) -> str:
        return self.message


def flash_refusal(refused: Refused) -> None:
    flash(refused.message, "error")


def show_on_form(
    form: FlaskForm, refused: Refused, field: str | None = None, words=lambda m: m
) -> None:
    """Each located problem beside its field; the messages beside ``field`` if given, else
    above the form. ``words`` rewrites a message in the form's terms."""
    unplaced = [words(m) for m in refused.messages]
    for name, found in refused.errors.items():
        target = form._fields.get(name) if name not in FORM_ONLY_FIELDS else None
        if target is None:
            unplaced.extend(words(m) for m in found)
        else:
            target.errors = [*target.errors, *map(words, found)]
    target = form._fields.get(field) if field else None
    if target is None:
        form.form_errors.extend(unplaced)
    else:
        target.errors = [*target.errors, *unplaced]
