"""Writing a bank as YAML that ``bank_format.parse_bank`` reads back to the same content."""

from __future__ import annotations

import io
import re

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedSeq

from question_bank.model import Bank

_FLOW_SAFE = re.compile(r"\w+")


def dump_bank(bank: Bank) -> str:
    """Write a bank as YAML that ``parse_bank`` reads back to the same content."""
    yaml = YAML()
    yaml.allow_unicode = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    data = bank.to_dict()
    for question in data["questions"]:
        for name in ("answer", "tags", "excludes"):
            if isinstance(question.get(name), list):
                question[name] = inline_list(question[name])
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


def inline_list(items: list) -> CommentedSeq:
    """Short lists (answers, tags, excludes) read best inline, ``[A, C, D]``, when every item is plain
    text that any YAML parser reads back the same; otherwise they stay in block style."""
    inline = _inline_safe(items)
    seq = CommentedSeq(inline_list(i) if isinstance(i, list) else i for i in items)
    if inline:
        seq.fa.set_flow_style()
        for item in seq:
            if isinstance(item, CommentedSeq):
                item.fa.set_flow_style()
    return seq


def _inline_safe(value: object) -> bool:
    if isinstance(value, list):
        return all(_inline_safe(item) for item in value)
    return isinstance(value, str) and _FLOW_SAFE.fullmatch(value) is not None
