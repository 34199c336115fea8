"""Cells read as the text a person sees in Excel; archives that would unpack into far
more than they weigh are refused before openpyxl opens them."""

from __future__ import annotations

import io
import time as time_module
import zipfile
from datetime import date, datetime, time

import pytest

from question_bank.formats.xlsx_cells import WorkbookError, check_archive, displayed, open_workbook
from tests.hostile_xlsx import many_shared_strings


@pytest.mark.parametrize(
    ("value", "number_format", "shown"),
    [
        (1921, "General", "1921"),
        (1921.0, "General", "1921"),
        (0.5, "General", "0.5"),
        (0.5, "0%", "50%"),
        (0.125, "0.0%", "12.5%"),
        (3.0, "0.00", "3.00"),
        (date(2019, 5, 6), "m月d日", "5月6日"),
        (datetime(2019, 5, 6), 'yyyy"年"m"月"d"日"', "2019年5月6日"),
        (datetime(2019, 5, 6), "yyyy/m/d", "2019/5/6"),
        (datetime(2019, 5, 6), "yyyy-mm-dd", "2019-05-06"),
        (time(9, 30), "h:mm", "09:30"),
        (True, "General", "TRUE"),
        ("07", "@", "07"),
        (None, "General", ""),
    ],
)
def test_cells_read_as_shown(value, number_format, shown):
    assert displayed(value, number_format) == shown


def test_a_shared_strings_bomb_is_refused_before_it_is_unpacked():
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"<sst>" + b"a" * 30_000_000 + b"</sst>")
    assert len(stream.getvalue()) < 100_000
    with pytest.raises(WorkbookError, match="压缩比异常"):
        check_archive(stream.getvalue())


def test_a_file_that_is_not_an_archive_is_named_as_such():
    with pytest.raises(WorkbookError, match=r"另存为 \.xlsx"):
        check_archive(b"PK not really")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (many_shared_strings(3_000_000, distinct=False), "表格过大："),
        (many_shared_strings(400_000, distinct=True), "（共享字符串）超过"),
    ],
    ids=["3-million-shared-strings", "400-thousand-distinct"],
)
def test_a_bank_workbook_goes_through_the_spreadsheet_caps(data, message):
    """The bank formats' Excel reader uses the project's capped checks, which count
    shared strings: 400,000 distinct ones passed the size-only archive check before."""
    start = time_module.process_time()
    with pytest.raises(WorkbookError, match=message):
        open_workbook(data)
    assert time_module.process_time() - start < 1.0
