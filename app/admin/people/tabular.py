"""Reading an uploaded table (CSV or XLSX) into rows of text, whatever Excel wrote.

No Flask here: bytes in, a ``Table`` out, or ``TableError`` with a message for the admin.
Cells are kept as text exactly as written (a cell ``=1+1`` is the text "=1+1"), so
nothing in a file is ever evaluated.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from app.admin.people.identity import normalize
from question_bank.spreadsheet import Limits, SpreadsheetError, read_xlsx

MAX_ROWS = 5000
MAX_COLUMNS = 30
# Blank rows between people are skipped, so the sheet may run somewhat past MAX_ROWS.
XLSX_LIMITS = Limits(rows=2 * MAX_ROWS, columns=MAX_COLUMNS)
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format


class TableError(ValueError):
    """A file that cannot be read as a table at all."""


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (row number as Excel shows it, cells)
    encoding: str


def read_table(data: bytes) -> Table:
    """The header and the non-empty rows of a CSV (UTF-8, UTF-8 with BOM, GB18030) or XLSX."""
    if not data.strip():
        raise TableError("文件是空的")
    if data.startswith(OLE_MAGIC):
        raise TableError("这是旧版 Excel（.xls）文件，请在 Excel 中“另存为” .xlsx 或 CSV 后再上传")
    if data.startswith(XLSX_MAGIC):
        rows = _xlsx_rows(data)
        encoding = "XLSX"
    else:
        text, encoding = _decode(data)
        rows = _csv_rows(text)
    numbered = [(n, cells) for n, cells in enumerate(rows, start=1) if any(cells)]
    if not numbered:
        raise TableError("文件中没有任何内容")
    (_, header), *body = numbered
    if len(body) > MAX_ROWS:
        raise TableError(f"一次最多导入 {MAX_ROWS} 行，请分成几个文件")
    return Table([normalize(h).lstrip("\ufeff") for h in header], body, encoding)


def _decode(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM) first; otherwise GB18030, as Excel in China saves CSV."""
    if b"\x00" in data:
        raise TableError("文件不是文本表格（CSV）也不是 XLSX，无法读取")
    for codec, label in (("utf-8-sig", "UTF-8"), ("gb18030", "GB18030")):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if any(ord(c) < 32 and c not in "\t\r\n" for c in text):
            break
        return text, label
    raise TableError("无法识别文件编码，请保存为 UTF-8 或 GB18030（Excel 的“CSV（逗号分隔）”）")


def _csv_rows(text: str) -> list[list[str]]:
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise TableError(f"CSV 格式有误：{exc}") from None
    if any(len(row) > MAX_COLUMNS for row in rows):
        raise TableError(f"列数过多（超过 {MAX_COLUMNS} 列），请检查文件")
    return [[cell.strip() for cell in row] for row in rows]


def _xlsx_rows(data: bytes) -> list[list[str]]:
    """The first worksheet's cells as text; formulas come back as their text, not run."""
    try:
        rows = read_xlsx(data, XLSX_LIMITS)
    except SpreadsheetError as exc:
        raise TableError(str(exc)) from None
    return [[_cell_text(value) for value in row] for row in rows]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone number typed as a number, not "13800138000.0"
    return str(value).strip()
