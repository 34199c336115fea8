"""Reading any format through the one bank validator, with messages that point into
the source.

A format reader builds the bank's YAML shape from its source, each value wrapped with
where it came from (``Where``: a sheet row and column, a paragraph, an XML line). The
shape is written out as YAML, one value to a line, and read by ``parse_bank``; each
message is then moved from the generated line to the source position it stands for.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from question_bank.bank_format import parse_bank
from question_bank.diagnostics import Diagnostic, Report, Severity
from question_bank.model import Bank

_GENERATED_LINE = re.compile(r"第 (\d+) 行")
_OWNER_LINE = re.compile(r"^第 \d+ 行的题目：")
_NOT_PRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


@dataclass(frozen=True)
class Where:
    """A place in the source: ``line`` and ``column`` as the file's own numbering
    (row and column, paragraph, XML line), ``label`` as a person would say it."""

    line: int
    column: int
    label: str = ""

    @property
    def said(self) -> str:
        return self.label or f"第 {self.line} 行"

    def prefix(self, message: str) -> str:
        return f"{self.label}：{message}" if self.label else message


@dataclass(frozen=True)
class At:
    """A value of the bank's YAML shape and where the source holds it."""

    value: Any
    where: Where


@dataclass
class SourceDocument:
    """What a format reader gives: the bank's shape, the source shown line by line
    (for the upload page), and what the reader itself found: problems (errors) and
    notes (warnings, e.g. a question of a type the bank has not, skipped by name)."""

    shape: At
    lines: list[str] = field(default_factory=list)
    problems: list[tuple[Where, str]] = field(default_factory=list)
    notes: list[tuple[Where, str]] = field(default_factory=list)


def validate(document: SourceDocument, filename: str) -> tuple[Bank | None, Report]:
    """The bank and a report whose positions and wording point into the source."""
    text, places = _emit(document.shape)
    bank, generated = parse_bank(text.encode(), filename)
    report = Report(filename)
    for where, message in document.problems:
        report.error(where.line, where.column, where.prefix(message))
    for where, message in document.notes:
        report.warning(where.line, where.column, where.prefix(message))
    for item in generated.items:
        where = _place(places, item.line)
        message = _GENERATED_LINE.sub(
            lambda m: _place(places, int(m.group(1))).said, _OWNER_LINE.sub("", item.message)
        )
        report.items.append(
            Diagnostic(
                where.line, where.column, where.prefix(message), item.severity,
                item.question_id, item.field, filename,
            )
        )  # fmt: skip
    if document.problems:
        return None, report
    return bank, report


def has_errors(report: Report) -> bool:
    return any(d.severity is Severity.ERROR for d in report.items)


def _place(places: dict[int, Where], line: int) -> Where:
    """The source place of a generated line: its own, or that of the nearest line above."""
    for n in range(line, 0, -1):
        if n in places:
            return places[n]
    return Where(1, 1)


def _emit(shape: At) -> tuple[str, dict[int, Where]]:
    """The shape as JSON (which is YAML), one value per line, and each line's place."""
    lines: list[str] = []
    places: dict[int, Where] = {}

    def scalar(value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        text = json.dumps(value if isinstance(value, str) else str(value), ensure_ascii=False)
        return _NOT_PRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)

    def emit(node: Any, prefix: str, suffix: str, indent: str) -> None:
        where = node.where if isinstance(node, At) else None
        value = node.value if isinstance(node, At) else node
        if where is not None:
            places[len(lines) + 1] = where
        if isinstance(value, dict):
            lines.append(f"{indent}{prefix}{{")
            for i, (key, item) in enumerate(value.items()):
                comma = "," if i < len(value) - 1 else ""
                emit(item, f"{scalar(key)}: ", comma, indent + "  ")
            lines.append(f"{indent}}}{suffix}")
        elif isinstance(value, list):
            lines.append(f"{indent}{prefix}[")
            for i, item in enumerate(value):
                emit(item, "", "," if i < len(value) - 1 else "", indent + "  ")
            lines.append(f"{indent}]{suffix}")
        else:
            lines.append(f"{indent}{prefix}{scalar(value)}{suffix}")

    emit(shape, "", "", "")
    return "\n".join(lines) + "\n", places
