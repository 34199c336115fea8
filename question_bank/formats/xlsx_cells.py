"""Reading an uploaded workbook safely, as the text a person sees in each cell.

The workbook goes through the project's capped spreadsheet checks
(``question_bank.spreadsheet``: member sizes, compression ratios, shared strings, cells,
rows, CPU time) before openpyxl opens it, so a small file cannot unpack into gigabytes
or millions of strings. A Word file is a zip too: ``check_archive`` caps its unpacking.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time

from question_bank.spreadsheet import DAMAGED, Limits, SpreadsheetError, check_xlsx

MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_SHARED_STRINGS_BYTES = 20 * 1024 * 1024
MAX_RATIO = 200
MAX_ROWS = 20_000
MAX_COLUMNS = 40


class WorkbookError(ValueError):
    """A file that cannot be read as a workbook; the message is for the user."""


def open_workbook(data: bytes) -> dict[str, list[list[str]]]:
    """Each sheet's rows as displayed text, in sheet order."""
    from openpyxl import load_workbook

    try:
        check_xlsx(data, Limits(rows=MAX_ROWS, columns=MAX_COLUMNS))
    except SpreadsheetError as refused:
        raise WorkbookError(str(refused)) from None
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged or fake file
        raise WorkbookError(DAMAGED) from None
    try:
        sheets: dict[str, list[list[str]]] = {}
        for sheet in workbook.worksheets:
            rows = []
            for row in sheet.iter_rows(max_col=MAX_COLUMNS):
                cells = [displayed(cell.value, cell.number_format or "") for cell in row]
                while cells and not cells[-1]:
                    cells.pop()
                rows.append(cells)
                if len(rows) > MAX_ROWS:
                    raise WorkbookError(
                        f"工作表“{sheet.title}”超过 {MAX_ROWS} 行；请拆分后分别导入"
                    )
            sheets[sheet.title] = rows
        return sheets
    finally:
        workbook.close()


def check_archive(data: bytes) -> None:
    """Refuse archives (XLSX, DOCX) that would unpack into far more than they weigh."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile:
        raise WorkbookError(
            "文件不是 XLSX（Excel 2007 及以后的格式）；请在 Excel 中另存为 .xlsx"
        ) from None
    if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
        raise WorkbookError("XLSX 文件解压后过大，无法读取")
    for member in members:
        if (
            member.file_size > MAX_RATIO * max(member.compress_size, 1)
            and member.file_size > 1_000_000
        ):
            raise WorkbookError("XLSX 文件的压缩比异常，疑为恶意文件，无法读取")
        if (
            member.filename.endswith("sharedStrings.xml")
            and member.file_size > MAX_SHARED_STRINGS_BYTES
        ):
            raise WorkbookError("XLSX 文件中的文字部分过大，无法读取")


def displayed(value: object, number_format: str) -> str:
    """What Excel shows for ``value`` under ``number_format``, in the common cases."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime) and value.time() == time(0):
        return _date(value.date(), number_format)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return _date(value, number_format)
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, int | float):
        return _number(value, number_format)
    return str(value)


def _date(day: date, number_format: str) -> str:
    fmt = number_format.lower()
    if "年" in fmt or "月" in fmt:
        text = f"{day.month}月{day.day}日"
        return f"{day.year}年{text}" if "y" in fmt else text
    if "/" in fmt:
        return f"{day.year}/{day.month}/{day.day}"
    return day.isoformat()


def _number(value: float, number_format: str) -> str:
    fmt = number_format.split(";")[0]
    decimals = len(fmt.split(".")[1].rstrip("%")) if "." in fmt else 0
    if fmt.endswith("%"):
        return f"{value * 100:.{decimals}f}%"
    if decimals and set(fmt.split(".")[1].rstrip("%")) <= {"0"}:
        return f"{value:.{decimals}f}"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.15g}"
