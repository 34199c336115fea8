"""Question banks in the formats people already have: YAML, Excel, Word, Moodle XML,
GIFT and Aiken, read through the one validator and written back.

Each format is one module with ``read(data, filename, defaults)`` giving a
``SourceDocument`` (or, for YAML, the bank itself) and ``write(bank)`` giving an
``Export`` that lists what it could not hold. ``read_bank`` and ``write_bank`` pick the
module by name or by the file's extension.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from pathlib import PurePath
from types import ModuleType

from question_bank.diagnostics import Report
from question_bank.formats.base import BankDefaults, Export, ReadResult
from question_bank.formats.source import SourceDocument, validate
from question_bank.model import Bank
from question_bank.yaml_source import DEFAULT_MAX_BYTES


@dataclass(frozen=True)
class BankFormat:
    name: str
    title: str
    extensions: tuple[str, ...]
    module_name: str

    @property
    def module(self) -> ModuleType:
        """Imported when first used: Excel and Word readers load large libraries."""
        return import_module(f"question_bank.formats.{self.module_name}")


FORMATS: dict[str, BankFormat] = {
    f.name: f
    for f in (
        BankFormat("yaml", "YAML", (".yaml", ".yml"), "yaml"),
        BankFormat("xlsx", "Excel（.xlsx）", (".xlsx",), "xlsx"),
        BankFormat("docx", "Word（.docx）", (".docx",), "docx"),
        BankFormat("moodle", "Moodle XML", (".xml",), "moodle_xml"),
        BankFormat("gift", "GIFT", (".gift",), "gift"),
        BankFormat("aiken", "Aiken", (".aiken", ".txt"), "aiken"),
    )
}
NO_DEFAULTS = BankDefaults()
ACCEPTED_EXTENSIONS = tuple(ext for f in FORMATS.values() for ext in f.extensions)


class UnknownFormat(ValueError):
    """Neither the name given nor the file's extension names a format."""


def format_for(filename: str, name: str | None = None) -> BankFormat:
    """The format called ``name``, else the one the file's extension names."""
    if name:
        if name not in FORMATS:
            raise UnknownFormat(f"未知的格式“{name}”；可用：{'、'.join(FORMATS)}")
        return FORMATS[name]
    suffix = PurePath(filename).suffix.lower()
    for candidate in FORMATS.values():
        if suffix in candidate.extensions:
            return candidate
    raise UnknownFormat(
        f"无法从扩展名“{suffix or '（无）'}”判断格式；可用的扩展名：{'、'.join(ACCEPTED_EXTENSIONS)}"
    )


def read_bank(
    data: bytes,
    filename: str,
    name: str | None = None,
    defaults: BankDefaults = NO_DEFAULTS,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ReadResult:
    """Read and validate a bank in any format; every message points into the source."""
    chosen = format_for(filename, name)
    if len(data) > max_bytes:
        report = Report(filename)
        report.error(
            1, 1,
            f"文件过大（{len(data) / 1048576:.1f} MB），上限为 {max_bytes / 1048576:.0f} MB；请拆分后分别导入",
        )  # fmt: skip
        return ReadResult(None, report, [])
    document = chosen.module.read(data, filename, defaults)
    if isinstance(document, ReadResult):
        return document
    if isinstance(document, Report):
        return ReadResult(None, document, [])
    assert isinstance(document, SourceDocument)
    bank, report = validate(document, filename)
    return ReadResult(bank, report, document.lines)


def write_bank(bank: Bank, name: str) -> Export:
    return FORMATS[name].module.write(bank)
