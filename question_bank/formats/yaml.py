"""The bank's own YAML format (DESIGN.md section 3) behind the common format interface."""

from __future__ import annotations

from question_bank.bank_format import parse_bank
from question_bank.bank_writer import dump_bank
from question_bank.formats.base import BankDefaults, Export, ReadResult
from question_bank.model import Bank


def read(data: bytes, filename: str, defaults: BankDefaults) -> ReadResult:
    """YAML says its own id, title and topics; ``defaults`` are not needed."""
    bank, report = parse_bank(data, filename)
    try:
        lines = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8").splitlines()
    except UnicodeDecodeError:
        lines = []
    return ReadResult(bank, report, lines)


def write(bank: Bank) -> Export:
    return Export(dump_bank(bank).encode("utf-8"))
