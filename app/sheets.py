"""Every spreadsheet the app writes (CSV and XLSX), written here once: what Excel in China
opens correctly, with nothing a spreadsheet would run as a formula.

Reading uploaded tables is ``question_bank.spreadsheet`` (bounded, Flask-free).

openpyxl is imported by what writes a workbook: it takes ~0.2 s of CPU to import, and
every web process, job worker and ``flask`` command imports this module (the routes do).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TIME_FORMAT = "yyyy-mm-dd hh:mm"
Cell = str | int | float | datetime | None


def neutralize(value: Cell) -> Cell:
    """Text that a spreadsheet would run as a formula, made plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def as_text(value: object) -> str:
    """Any value as the text a spreadsheet shows as written."""
    return str(neutralize("" if value is None else str(value)))


def xml_safe(value: Cell) -> Cell:
    """Text without the control characters XML cannot hold (a name stored before names
    were checked must not make a whole export fail)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def csv_bytes(rows: Iterable[Sequence[object]]) -> bytes:
    """CSV as Excel in China opens it: UTF-8 with a byte-order mark, CRLF lines. The
    caller has made the cells safe (``neutralize`` or ``as_text``)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def _new_book() -> Workbook:
    from openpyxl import Workbook

    return Workbook()


def _saved(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def text_xlsx(rows: Sequence[Sequence[object]]) -> bytes:
    """One sheet whose cells are all text, so 身份证号 and 工号 keep every digit (a template
    to fill in: the first 200 rows are text even where still empty)."""
    book = _new_book()
    sheet = book.active
    for row in rows:
        sheet.append([as_text(value) for value in row])
    for column in sheet.iter_cols(max_row=max(len(rows), 200)):
        for cell in column:
            cell.number_format = "@"
        sheet.column_dimensions[column[0].column_letter].width = 20
    return _saved(book)


def _width(value: Cell) -> int:
    """Columns wide enough for their text: a Chinese character takes two places."""
    if isinstance(value, datetime):
        return 16
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def table_xlsx(
    header: Sequence[str], rows: Iterable[Sequence[Cell]], sheet_title: str, title: str
) -> bytes:
    """A report: typed cells (times formatted), a frozen header with filters, columns as
    wide as their text. ``rows`` are already neutralized."""
    from openpyxl.utils import get_column_letter

    book = _new_book()
    sheet = book.active
    sheet.title = sheet_title
    sheet.append(list(header))
    body = [[xml_safe(cell) for cell in row] for row in rows]
    for row in body:
        sheet.append(row)
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            if isinstance(cell.value, datetime):
                cell.number_format = TIME_FORMAT
    for index, name in enumerate(header):
        widest = max([_width(name), *(_width(row[index]) for row in body)])
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(60, widest + 2)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    book.properties.title = xml_safe(title)[:200]
    return _saved(book)
