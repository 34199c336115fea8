"""Result tables as CSV and XLSX files that open correctly in Excel.

CSV is UTF-8 with a byte-order mark (without it, Excel in China reads GBK and garbles
the names). Any text cell that a spreadsheet could take for a formula (starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading apostrophe, so a
candidate named ``=HYPERLINK(...)`` stays text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from app.admin.results.queries import ResultRow
from app.timefmt import localtime, points

COLUMNS = (
    "姓名", "用户名", "单位", "考试场次", "第几次", "状态", "得分", "满分", "是否合格",
    "开始时间", "交卷时间", "用时（分钟）", "证书编号", "证书状态",
)  # fmt: skip
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | None


def neutralize(value: Cell) -> Cell:
    """Text that a spreadsheet would run as a formula, made plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def table(rows: Sequence[ResultRow]) -> list[list[Cell]]:
    """One list per attempt, in ``COLUMNS`` order, neutralized."""
    return [
        [
            neutralize(cell)
            for cell in (
                r.name, r.username, r.unit, r.session, r.number, r.outcome,
                float(r.score) if r.score is not None else None,
                float(r.possible) if r.possible is not None else None,
                "" if r.passed is None else ("是" if r.passed else "否"),
                localtime(r.started_at), localtime(r.finalized_at),
                round(r.seconds_used / 60, 1) if r.seconds_used is not None else None,
                "；".join(number for number, _ in r.certificates),
                "；".join(state for _, state in r.certificates),
            )
        ]
        for r in rows
    ]  # fmt: skip


def to_csv(rows: Sequence[ResultRow]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in table(rows):
        writer.writerow(
            ["" if c is None else points(str(c)) if isinstance(c, float) else c for c in row]
        )
    return out.getvalue().encode("utf-8-sig")


def xml_safe(value: Cell) -> Cell:
    """Text without the control characters XML cannot hold (a name stored before names
    were checked must not make the whole unit's export fail)."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def to_xlsx(rows: Sequence[ResultRow], title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "成绩"
    sheet.append(COLUMNS)
    for row in table(rows):
        sheet.append([xml_safe(cell) for cell in row])
    for index, name in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(10, len(name) * 2 + 2)
    sheet.freeze_panes = "A2"
    book.properties.title = xml_safe(title)[:200]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
