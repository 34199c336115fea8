"""Identity numbers, phones and dates as typed, and people files (CSV/XLSX) as read."""

from __future__ import annotations

from datetime import date

import pytest

from app.admin.people.identity import clean_id_number, clean_mobile, mask_id_number, parse_date
from app.admin.people.tabular import TableError, read_table
from tests.app.people.helpers import HEADER, ID_A, ID_B, ID_C, TODAY, csv_bytes, xlsx_bytes


@pytest.mark.parametrize(
    "number", [ID_A, ID_B, ID_C, "11010519491231002x", "１１０１０５１９４９１２３１００２Ｘ"]
)
def test_valid_identity_numbers(number):
    assert clean_id_number(number, TODAY) == ID_A if "0519491231" in number else number


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("110105194912310021", "校验位"),
        ("11010519491331002X", "出生日期"),
        ("110105209912310020", "出生日期"),
        ("110105491231002", "15 位"),
        ("1101051949123100", "18 位"),
        ("11010519491231002Y", "18 位"),
    ],
)
def test_invalid_identity_numbers(number, reason):
    with pytest.raises(ValueError, match=reason):
        clean_id_number(number, TODAY)


def test_identity_numbers_are_masked():
    assert mask_id_number(ID_A) == "1101**********002X"
    assert mask_id_number(None) == ""


@pytest.mark.parametrize(
    "text", ["13800138000", "138 0013 8000", "+86 138-0013-8000", "8613800138000"]
)
def test_mobile_numbers(text):
    assert clean_mobile(text) == "13800138000"


@pytest.mark.parametrize(
    "text", ["1380013800", "23800138000", "12800138000", "138001380001", "abc"]
)
def test_bad_mobile_numbers(text):
    with pytest.raises(ValueError, match="11 位"):
        clean_mobile(text)


@pytest.mark.parametrize(
    "text", ["1985-03-07", "1985/3/7", "19850307", "1985年3月7日", "1985.03.07"]
)
def test_dates(text):
    assert parse_date(text, TODAY) == date(1985, 3, 7)


@pytest.mark.parametrize("text", ["07/03/1985", "2027-01-01", "1800-01-01", "昨天"])
def test_bad_dates(text):
    with pytest.raises(ValueError):
        parse_date(text, TODAY)


@pytest.mark.parametrize(
    ("encoding", "label"), [("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8"), ("gb18030", "GB18030")]
)
def test_csv_encodings(encoding, label):
    table = read_table(csv_bytes(f"龚䶮,A1,{ID_A},办公室,,,,", encoding=encoding))
    assert table.encoding == label
    assert table.header[0] == "姓名"
    assert table.rows == [(2, ["龚䶮", "A1", ID_A, "办公室", "", "", "", ""])]


def test_xlsx_cells_come_back_as_text():
    data = xlsx_bytes(
        [
            HEADER.split(","),
            ["李堃", "A1", ID_A, "办公室", "=1+1", None, 13800138000, date(1949, 12, 31)],
        ]
    )
    table = read_table(data)
    assert table.encoding == "XLSX"
    assert table.rows == [
        (2, ["李堃", "A1", ID_A, "办公室", "=1+1", "", "13800138000", "1949-12-31"])
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "空"),
        (b"  \r\n ", "空"),
        (b",,,\r\n,,\r\n", "没有任何内容"),
        (bytes(range(256)) * 10, "不是文本表格"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".xls"),
        (b"PK\x03\x04" + b"garbage" * 50, "XLSX 文件已损坏"),
        (b"\xff\xfe\x81\x30\xff\xff\x80", "编码"),
        (b"a,b\n" + b"x,\x07y\n", "编码"),
    ],
    ids=["empty", "blank", "only-commas", "binary", "xls", "fake-zip", "not-gb18030", "control"],
)
def test_unreadable_files(data, message):
    with pytest.raises(TableError, match=message):
        read_table(data)
