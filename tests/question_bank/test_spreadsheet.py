"""XLSX files are read within caps: hostile ones stop early with “表格过大：…”.

Each hostile file is small and built in memory; the assertion that matters besides the
message is that reading stops in well under a second of CPU (the issue's file took 57 s).
"""

from __future__ import annotations

import io
import time
import zipfile
from datetime import datetime

import pytest

from question_bank.spreadsheet import (
    DAMAGED,
    Limits,
    SpreadsheetError,
    SpreadsheetTooLarge,
    read_xlsx,
)
from tests.hostile_xlsx import (
    SHEET,
    many_shared_strings,
    sheet_of,
    with_parts,
    workbook_bytes,
)


def refused_quickly(data: bytes, limits: Limits | None = None) -> str:
    start = time.process_time()
    with pytest.raises(SpreadsheetError) as caught:
        read_xlsx(data, limits)
    assert time.process_time() - start < 1.0
    return str(caught.value)


def test_a_normal_workbook_reads_back():
    data = workbook_bytes([["姓名", "工号", "生日"], ["李堃", 13800138000, datetime(1949, 12, 31)]])
    assert read_xlsx(data) == [
        ["姓名", "工号", "生日"],
        ["李堃", 13800138000, datetime(1949, 12, 31)],
    ]


def test_three_million_shared_strings_in_a_small_zip():
    data = many_shared_strings(3_000_000, distinct=False)
    assert len(data) < 200_000
    message = refused_quickly(data)
    assert message.startswith("表格过大：")


def test_too_many_distinct_shared_strings():
    data = many_shared_strings(400_000, distinct=True)
    assert "（共享字符串）超过 300000 个" in refused_quickly(data)


def test_a_zip_bomb_sheet_is_refused_by_its_declared_size():
    data = with_parts({"xl/worksheets/sheet1.xml": b" " * (40 * 1024 * 1024)})
    assert len(data) < 100_000
    assert "解压后超过 32 MB" in refused_quickly(data)


def test_a_bomb_in_a_small_part_is_refused_by_its_ratio():
    data = with_parts({"xl/styles.xml": b"<a/>" * (3 * 1024 * 1024 // 4)})
    assert "压缩比异常" in refused_quickly(data)


def test_a_part_that_lies_about_its_size_is_damaged():
    data = with_parts({"xl/worksheets/sheet1.xml": SHEET % (SHEET_OF_ONE_ROW * 1000)})
    # Halve the declared size in the central directory: zipfile inflates no further.
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    assert refused_quickly(_declare(data, info, info.file_size // 2)) == DAMAGED


SHEET_OF_ONE_ROW = b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'


def _declare(data: bytes, info: zipfile.ZipInfo, size: int) -> bytes:
    old = info.file_size.to_bytes(4, "little")
    new = size.to_bytes(4, "little")
    name = info.filename.encode()
    # Central directory entry: the uncompressed size sits 22 bytes after the signature + 2.
    at = data.rindex(b"PK\x01\x02", 0, data.rindex(name))
    assert data[at + 24 : at + 28] == old
    return data[: at + 24] + new + data[at + 28 :]


def test_too_many_rows():
    rows = [[f"第{i}行"] for i in range(150)]
    message = refused_quickly(workbook_bytes(rows), Limits(rows=100))
    assert message.startswith("表格过大：超过 100 行")


def test_a_row_far_down_the_sheet_stops_the_reading():
    data = sheet_of(b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>')
    assert "超过 10000 行" in refused_quickly(data)


def test_too_many_cells_in_one_row():
    row = b'<row r="1">' + b'<c t="inlineStr"><is><t>x</t></is></c>' * 2_000 + b"</row>"
    assert "单元格超过 1000 个" in refused_quickly(sheet_of(row), Limits(cells=1_000))


def test_entity_definitions_are_refused():
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>' + SHEET % b""
    assert refused_quickly(with_parts({"xl/worksheets/sheet1.xml": bomb})) == DAMAGED


def test_the_deadline_stops_a_slow_read():
    rows = [[str(i)] * 10 for i in range(3_000)]
    with pytest.raises(SpreadsheetTooLarge, match="表格过大：读取超过"):
        read_xlsx(workbook_bytes(rows), Limits(seconds=0.0))


def test_not_a_zip():
    assert refused_quickly(b"PK\x03\x04garbage") == DAMAGED
