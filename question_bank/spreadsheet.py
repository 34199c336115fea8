"""Reading the first sheet of an uploaded XLSX file within fixed caps, however it is made.

An XLSX file is a zip of XML parts, and a small file can claim a great deal: 129 KB held
3 million shared strings (openpyxl reads every shared string when it opens a workbook:
57 s of CPU and 320 MB), a zip member can inflate a thousandfold, a sheet can claim a
million rows or a million cells in one row. So before openpyxl sees the file, every
member's declared sizes are checked (Python's zipfile never inflates past the declared
size, so the declaration binds) and every XML part is streamed once, counting shared
strings and cells with byte searches; then openpyxl reads the first sheet only, in
read-only mode, up to the row and column caps, within a budget of CPU time.

No Flask here: bytes in, rows of cell values out, or ``SpreadsheetError`` whose message
is for the person who uploaded the file.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from dataclasses import dataclass

MIB = 1024 * 1024
_CHUNK = MIB
_LONGEST_TAG = 512  # bytes of one opening tag we need to see whole (a <row …> with attributes)
_NAME = rb"<(?:[A-Za-z_][\w.-]*:)?"
_SHARED_STRING = re.compile(_NAME + rb"si[\s/>]")
_CELL = re.compile(_NAME + rb"c[\s/>]")
_ROW = re.compile(_NAME + rb"row[\s/>][^>]*")
_ROW_NUMBER = re.compile(rb'\sr="([0-9]{1,9})"')
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
_SHEETS = re.compile(r"xl/worksheets/[^/]+\.xml", re.IGNORECASE)
_BIG_PARTS = re.compile(r"xl/(?:worksheets/[^/]+|sharedStrings)\.xml", re.IGNORECASE)
DAMAGED = "XLSX 文件已损坏或不是 Excel 文件，无法读取；请在 Excel 中另存为 .xlsx 后再上传"


@dataclass(frozen=True)
class Limits:
    """What one upload may cost; the defaults fit any table a person types or exports."""

    rows: int = 10_000  # row number, as Excel shows it, of the last row read
    columns: int = 50
    cells: int = 300_000  # in any one part of the file
    shared_strings: int = 300_000
    members: int = 500
    member_bytes: int = 32 * MIB  # a sheet or the shared strings, unzipped
    other_member_bytes: int = 4 * MIB  # styles, workbook, relationships …, unzipped
    total_bytes: int = 64 * MIB
    compression_ratio: int = 200  # a member inflating more than this (past 1 MiB) is a bomb
    seconds: float = 5.0  # of CPU


class SpreadsheetError(ValueError):
    """The file cannot be read as a table; the message says why, in Chinese."""


class SpreadsheetTooLarge(SpreadsheetError):
    """The file asks for more than the caps allow."""


def read_xlsx(data: bytes, limits: Limits | None = None) -> list[list[object]]:
    """The first sheet's rows as cell values (text, numbers, booleans, dates; formulas as
    their text), trailing empty cells removed, at most ``limits.columns`` wide."""
    limits = limits or Limits()
    deadline = check_xlsx(data, limits)
    return _read_first_sheet(data, limits, deadline)


def check_xlsx(data: bytes, limits: Limits) -> _Deadline:
    """The caps alone, before any reader opens the file (the bank formats' Excel reader
    applies them too); returns what is left of the CPU budget for the reading."""
    deadline = _Deadline(limits.seconds)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise SpreadsheetError(DAMAGED) from None
    with archive:
        infos = archive.infolist()
        _check_sizes(infos, limits)
        try:
            for info in infos:
                if info.filename.lower().endswith((".xml", ".rels")):
                    _scan_part(archive, info, limits, deadline)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
            raise SpreadsheetError(DAMAGED) from None
    return deadline


class _Deadline:
    """A budget of this thread's CPU time: the work the file causes, whatever else the
    machine is doing (on a busy server wall time would refuse ordinary files)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.thread_time() + seconds

    def check(self) -> None:
        if time.thread_time() > self.end:
            raise SpreadsheetTooLarge(
                f"表格过大：读取超过 {self.seconds:g} 秒；请删去无关的内容后再上传"
            )


def _too_large(what: str) -> SpreadsheetTooLarge:
    return SpreadsheetTooLarge(f"表格过大：{what}；请只保留要导入的内容，或分成几个文件")


def _check_sizes(infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(infos) > limits.members:
        raise _too_large(f"文件中有 {len(infos)} 个部件，超过 {limits.members} 个")
    total = 0
    for info in infos:
        cap = (
            limits.member_bytes
            if _BIG_PARTS.fullmatch(info.filename)
            else limits.other_member_bytes
        )
        if info.file_size > cap:
            raise _too_large(f"“{info.filename[:80]}”解压后超过 {cap // MIB} MB")
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MIB and ratio > limits.compression_ratio:
            raise _too_large(f"“{info.filename[:80]}”压缩比异常（{ratio:.0f} 倍），疑似压缩炸弹")
        total += info.file_size
    if total > limits.total_bytes:
        raise _too_large(f"解压后共 {total // MIB} MB，超过 {limits.total_bytes // MIB} MB")


def _scan_part(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, deadline: _Deadline
) -> None:
    """Count shared strings, cells and (in a sheet) rows of one XML part without parsing
    it; refuse DTDs (an Excel file never has one, and entity expansion is another bomb)."""
    strings = cells = rows = last_row = 0
    sheet = _SHEETS.fullmatch(info.filename) is not None
    carry = b""
    with archive.open(info) as stream:
        while True:
            chunk = stream.read(_CHUNK)
            window = carry + chunk
            # Keep an unfinished tag for the next round, so no tag is split in two.
            cut = window.rfind(b"<") if chunk else len(window)
            if cut < 0 or len(window) - cut > _LONGEST_TAG:
                cut = len(window)
            piece, carry = window[:cut], window[cut:]
            if _DTD.search(piece):
                raise SpreadsheetError(DAMAGED)
            strings += len(_SHARED_STRING.findall(piece))
            cells += len(_CELL.findall(piece))
            if strings > limits.shared_strings:
                raise _too_large(f"不同文字（共享字符串）超过 {limits.shared_strings} 个")
            if cells > limits.cells:
                raise _too_large(f"单元格超过 {limits.cells} 个")
            if sheet:
                tags = _ROW.findall(piece)
                rows += len(tags)
                numbered = tags and _ROW_NUMBER.search(tags[-1])
                last_row = max(last_row, rows, int(numbered.group(1)) if numbered else 0)
                if last_row > limits.rows:
                    raise _too_large(f"超过 {limits.rows} 行")
            deadline.check()
            if not chunk:
                return


def _read_first_sheet(data: bytes, limits: Limits, deadline: _Deadline) -> list[list[object]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a damaged or fake file
        raise SpreadsheetError(DAMAGED) from None
    try:
        sheet = workbook.worksheets[0]
        rows: list[list[object]] = []
        for row in sheet.iter_rows(
            max_row=limits.rows + 1, max_col=limits.columns, values_only=True
        ):
            deadline.check()
            cells = list(row)
            while cells and (cells[-1] is None or cells[-1] == ""):
                cells.pop()  # read-only sheets pad every row to max_col
            if len(rows) == limits.rows:
                if cells:
                    raise _too_large(f"超过 {limits.rows} 行")
                break
            rows.append(cells)
        return rows
    except SpreadsheetError:
        raise
    except Exception:
        raise SpreadsheetError(DAMAGED) from None
    finally:
        workbook.close()
