"""Messages of the YAML validators in the words of a web form: a web form has labels,
not YAML keys, so "pass_mark 应为…" reads “合格线”应为… and "fill 题不应有 options"
reads 填空题不应有“选项”."""

from __future__ import annotations

import re

from wtforms import Form
from wtforms.fields import FieldList, FormField

from question_bank.model import TYPE_TITLES

_KEY = re.compile(r"(?<![A-Za-z0-9_.-])([a-z][a-z_]*)(?![A-Za-z0-9_.-])")
# The spaces that set a YAML key apart from Chinese text are not wanted around Chinese words.
_GAP = re.compile(r"(?<=[\u3000-\u9fff\uff08\uff09“”])[ ]+(?=[\u3000-\u9fff\uff08\uff09“”])")


def field_labels(form: Form) -> dict[str, str]:
    """Each field's YAML-like short name and its label, through field lists and sub-forms."""
    labels: dict[str, str] = {}
    for item in form:
        if isinstance(item, FieldList):
            for entry in item:
                if isinstance(entry, FormField):
                    labels |= field_labels(entry.form)
        elif item.label is not None and item.label.text:
            labels[item.short_name] = item.label.text
    return labels


def in_form_words(message: str, labels: dict[str, str]) -> str:
    """Field keys become “label”, type codes their titles (a trailing 题 is not doubled)."""

    def word(match: re.Match[str]) -> str:
        key = match.group(1)
        if key in labels:
            return f"“{labels[key]}”"
        return TYPE_TITLES.get(key, key)

    return _GAP.sub("", _KEY.sub(word, message)).replace("题题", "题")
