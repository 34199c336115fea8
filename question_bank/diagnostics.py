"""Problems found in a source file, reported as ``FILE:LINE:COL: message``."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from question_bank.echo import capped


class Severity(StrEnum):
    ERROR = "错误"
    WARNING = "警告"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem at a place in a file; line and column count from 1, as editors do."""

    line: int
    column: int
    message: str
    severity: Severity = Severity.ERROR
    question_id: str | None = None
    field: str | None = None
    file: str = ""

    def format(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.severity.value}: {self.message}"


class Report:
    """Collects every problem of a file so that all are shown at once, not just the first."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[Diagnostic] = []

    def error(
        self,
        line: int,
        column: int,
        message: str,
        *,
        qid: str | None = None,
        field: str | None = None,
    ) -> None:
        self.items.append(
            Diagnostic(line, column, capped(message), Severity.ERROR, qid, field, self.file)
        )

    def warning(
        self,
        line: int,
        column: int,
        message: str,
        *,
        qid: str | None = None,
        field: str | None = None,
    ) -> None:
        self.items.append(
            Diagnostic(line, column, capped(message), Severity.WARNING, qid, field, self.file)
        )

    @property
    def errors(self) -> list[Diagnostic]:
        return sorted(d for d in self.items if d.severity is Severity.ERROR)

    @property
    def warnings(self) -> list[Diagnostic]:
        return sorted(d for d in self.items if d.severity is Severity.WARNING)

    @property
    def ordered(self) -> list[Diagnostic]:
        """Errors first, each group in file order."""
        return self.errors + self.warnings

    @property
    def ok(self) -> bool:
        return not self.errors


class SourceError(Exception):
    """A source file that cannot be used; carries every problem found in it."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("\n".join(d.format() for d in diagnostics))
        self.diagnostics = diagnostics
