"""Forms of the sitting pages: create and edit a sitting, open or close it now, extend it,
give a candidate extra time or attempts (CSRF comes with FlaskForm)."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateTimeLocalField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from app.admin.exams.forms import TEXT, minutes_field, text_field
from app.bounds import EARLIEST_YEAR, LATEST_YEAR, sane_datetime, sane_id
from app.forms import BaseForm


class SittingForm(BaseForm):
    exam_id = SelectField("试卷规则", coerce=int, validate_choice=False)
    title = StringField(
        "场次名称",
        validators=[
            DataRequired("请填写场次名称"),
            Length(max=TEXT, message=f"最多 {TEXT} 个字符"),
        ],
    )
    opens_at = DateTimeLocalField(
        "开始时间（北京时间）",
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired("请填写开始时间")],
    )
    closes_at = DateTimeLocalField(
        "结束时间（北京时间）",
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired("请填写结束时间")],
    )
    access_code = text_field("考场口令（可不填）", 32)
    max_attempts = minutes_field("允许作答次数", 10, 1)
    submit = SubmitField("保存场次")

    def validate_exam_id(self, field: SelectField) -> None:
        if sane_id(field.data) is None:
            raise ValidationError("请选择试卷规则")

    def validate_opens_at(self, field: DateTimeLocalField) -> None:
        _sane_time(field)

    def validate_closes_at(self, field: DateTimeLocalField) -> None:
        """Checked with the other fields, so every problem shows at once."""
        _sane_time(field)
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError("结束时间必须晚于开始时间")


def _sane_time(field: DateTimeLocalField) -> None:
    if not sane_datetime(field.data):
        raise ValidationError(f"时间应在 {EARLIEST_YEAR} 年到 {LATEST_YEAR} 年之间")


class ActionForm(BaseForm):
    """Open now / close now: a button and its CSRF token."""


class ExtendForm(BaseForm):
    minutes = minutes_field("延长（分钟）", 7 * 24 * 60, 1)
    submit = SubmitField("延长")


class GrantForm(BaseForm):
    username = StringField(
        "考生用户名",
        validators=[DataRequired("请填写考生用户名"), Length(max=64, message="最多 64 个字符")],
    )
    extra_minutes = minutes_field("加时（分钟）", 600)
    extra_attempts = minutes_field("增加作答次数", 5)
    beyond_close = BooleanField("加时可超过场次结束时间")
    reason = StringField(
        "原因",
        validators=[DataRequired("请填写原因"), Length(max=TEXT, message=f"最多 {TEXT} 个字符")],
    )
    submit = SubmitField("确认调整")
