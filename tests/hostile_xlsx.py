"""Hostile XLSX files built in memory: a real workbook with some of its parts replaced."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook

SST = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
STRINGS_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)
SHEET = (
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b"<sheetData>%s</sheetData></worksheet>"
)


def workbook_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_parts(parts: dict[str, bytes], base: bytes | None = None) -> bytes:
    """A workbook (by default a one-cell one) whose named parts are replaced or added."""
    base = base or workbook_bytes([["姓名"]])
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for info in source.infolist():
            if info.filename not in parts:
                target.writestr(info.filename, source.read(info))
        for name, data in parts.items():
            target.writestr(name, data)
    return out.getvalue()


def many_shared_strings(count: int, distinct: bool) -> bytes:
    """The issue's file: ``count`` shared strings, all alike (a tiny zip) or all different,
    declared as Excel declares them, so openpyxl reads them all when it opens the file."""
    if distinct:
        items = b"".join(b"<si><t>%d</t></si>" % i for i in range(count))
    else:
        items = b"<si><t/></si>" * count
    base = workbook_bytes([["姓名"]])
    with zipfile.ZipFile(io.BytesIO(base)) as source:
        types = source.read("[Content_Types].xml").replace(b"</Types>", STRINGS_TYPE + b"</Types>")
    return with_parts(
        {"xl/sharedStrings.xml": SST + items + b"</sst>", "[Content_Types].xml": types}, base
    )


def sheet_of(rows_xml: bytes) -> bytes:
    return with_parts({"xl/worksheets/sheet1.xml": SHEET % rows_xml})
