"""The item statistics page's sorting and filtering, and its CSV export."""

from __future__ import annotations

from app.admin.results.item_stats import ItemReport
from app.sheets import csv_bytes, neutralize

SORTS = {
    "flags": "需复查的在前",
    "facility": "通过率从低到高",
    "discrimination": "区分度从低到高",
    "id": "题目编号",
}
SHOWS = {"all": "全部题目", "flagged": "只看需复查的"}


def needs_review(report: ItemReport) -> bool:
    """Flagged for something other than a small sample."""
    return bool(report.stats.flags) and report.stats.flags != ("few_responses",)


def arranged(reports: list[ItemReport], sort: str, show: str) -> list[ItemReport]:
    """The reports as the admin asked: sorted, optionally only those needing review."""
    chosen = [r for r in reports if needs_review(r)] if show == "flagged" else list(reports)
    if sort == "facility":
        chosen.sort(key=lambda r: r.stats.facility)
    elif sort == "discrimination":
        chosen.sort(key=lambda r: (r.stats.upper_lower is None, r.stats.upper_lower or 0))
    elif sort == "id":
        chosen.sort(key=lambda r: r.stats.question_id)
    return chosen


def _figure(value: float | None, fmt: str) -> str:
    return "" if value is None else fmt.format(value)


def to_csv(reports: list[ItemReport]) -> bytes:
    """One row per question, UTF-8 with BOM for Excel, formulas neutralized."""
    header = [
        "题目编号",
        "题型",
        "题干",
        "作答",
        "未作答",
        "通过率",
        "区分度",
        "点二列相关",
        "提示",
    ]
    return csv_bytes([header, *(
        [neutralize(cell) for cell in (
            r.stats.question_id, r.type_title, r.stem, r.stats.responses, r.stats.unanswered,
            _figure(r.stats.facility, "{:.2f}"), _figure(r.stats.upper_lower, "{:.2f}"),
            _figure(r.stats.point_biserial, "{:.2f}"), "；".join(r.flag_titles),
        )]
        for r in reports
    )])  # fmt: skip
