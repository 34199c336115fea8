"""The audit log's filters: a GET form (no CSRF: it changes nothing, and links to a
filtered page must work). Messages are in Chinese, like the rest of the UI."""

from __future__ import annotations

from datetime import date, datetime

from wtforms import DateField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from app.bounds import EARLIEST_YEAR, LATEST_YEAR, sane_datetime
from app.forms import FilterForm


class LocalDateField(DateField):
    """A date as YYYY-MM-DD, refused with a Chinese message."""

    def process_formdata(self, valuelist: list[str]) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if text:
            try:
                self.data = (
                    datetime.strptime(text[:10], "%Y-%m-%d").date() if len(text) == 10 else None
                )
            except ValueError:
                self.data = None
            if self.data is None:
                raise ValueError("日期格式应为 年-月-日，例如 2026-03-01。")
            if not sane_datetime(self.data):
                self.data = None
                raise ValueError(f"日期应在 {EARLIEST_YEAR} 年到 {LATEST_YEAR} 年之间。")


class AuditFilterForm(FilterForm):
    action = SelectField("操作", choices=[SelectChoice("", "全部")], validate_choice=False)
    actor = StringField(
        "操作人", validators=[Optional(), Length(max=64, message="操作人最多 64 个字。")]
    )
    date_from = LocalDateField("起始日期", validators=[Optional()])
    date_to = LocalDateField("截止日期", validators=[Optional()])

    def validate_action(self, field: SelectField) -> None:
        if (field.data or "") not in {choice.value for choice in field.choices}:
            raise ValidationError("没有这种操作类型。")

    def validate_date_to(self, field: LocalDateField) -> None:
        start: date | None = self.date_from.data
        if field.data and start and field.data < start:
            raise ValidationError("截止日期不能早于起始日期。")
