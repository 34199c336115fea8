"""Result tables as CSV and XLSX files that open correctly in Excel.

CSV is UTF-8 with a byte-order mark (without it, Excel in China reads GBK and garbles
the names). Any text cell that a spreadsheet could take for a formula (starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading apostrophe, so a
candidate named ``=HYPERLINK(...)`` stays text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from app.admin.results.queries import ResultRow
from app.sheets import Cell, csv_bytes, neutralize, table_xlsx
from app.timefmt import points, wall_clock

COLUMNS = (
    "姓名", "用户名", "单位", "拟任职务", "考试场次", "第几次", "状态", "得分", "满分", "是否合格",
    "开始时间", "交卷时间", "用时（分钟）", "证书编号", "证书状态",
)  # fmt: skip


def _local(moment: datetime | None) -> datetime | None:
    """Local wall-clock time without a zone: spreadsheets hold dates that way."""
    if moment is None:
        return None
    return wall_clock(moment)


def table(rows: Sequence[ResultRow]) -> list[list[Cell]]:
    """One list per attempt, in ``COLUMNS`` order, neutralized."""
    return [
        [
            neutralize(cell)
            for cell in (
                r.name, r.username, r.unit, r.position, r.sitting, r.number, r.outcome,
                float(r.score) if r.score is not None else None,
                float(r.possible) if r.possible is not None else None,
                "" if r.passed is None else ("是" if r.passed else "否"),
                _local(r.started_at), _local(r.finalized_at),
                round(r.seconds_used / 60, 1) if r.seconds_used is not None else None,
                "；".join(number for number, _ in r.certificates),
                "；".join(state for _, state in r.certificates),
            )
        ]
        for r in rows
    ]  # fmt: skip


def _csv_text(cell: Cell) -> str | int:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return f"{cell:%Y-%m-%d %H:%M}"
    return points(str(cell)) if isinstance(cell, float) else cell


def to_csv(rows: Sequence[ResultRow]) -> bytes:
    return csv_bytes([COLUMNS, *([_csv_text(c) for c in row] for row in table(rows))])


def to_xlsx(rows: Sequence[ResultRow], title: str) -> bytes:
    return table_xlsx(COLUMNS, table(rows), "成绩", title)


def file_name(title: str, stamp: str, fmt: str, kind: str = "成绩") -> str:
    """e.g. 12月任前测试-成绩-20261201-1130.xlsx; characters no file system takes become "_"."""
    safe = "".join("_" if ch in '\\/:*?"<>|' or ord(ch) < 32 else ch for ch in title).strip()
    return f"{safe[:80] or kind}-{kind}-{stamp}.{fmt}"
