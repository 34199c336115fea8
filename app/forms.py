"""The base forms every form builds on, so that no form needs its own Meta workaround."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms.meta import DefaultMeta


class BaseForm(FlaskForm):
    """A posted form with CSRF protection; WTForms' own messages (a number or time that
    does not parse, a choice not offered) in Chinese."""

    class Meta:
        locales = ("zh",)

        def get_translations(self, form):
            # Flask-WTF's translations follow Flask-Babel, which this app does not use.
            return DefaultMeta.get_translations(self, form)


class FilterForm(BaseForm):
    """A GET form (filters, searches): links to a filtered list must work, so no CSRF."""

    class Meta:
        csrf = False
