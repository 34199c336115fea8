"""Forms of the exams and sessions pages (CSRF comes with FlaskForm).

The exam forms hold text only: what the values mean is decided by the exam YAML
checks (``parse_exam`` via ``save_exam``), whose messages come back onto the fields.
"""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from app.bounds import EARLIEST_YEAR, LATEST_YEAR, sane_datetime, sane_id
from app.forms import BaseForm
from question_bank.exam import REVIEW_FROM, REVIEW_SHOW, SCORING_FIELDS
from question_bank.model import QUESTION_TYPES, TYPE_TITLES
from question_bank.types import REGISTRY

SHOW_TITLES = {"score_only": "只显示成绩", "answers": "显示对错", "keys": "显示对错和答案"}
FROM_TITLES = {"immediately": "交卷后立即", "after_close": "场次结束后"}
SECTION_ROWS = len(QUESTION_TYPES)
TEXT = 200


def _text(label: str, length: int = TEXT, **kwargs) -> StringField:
    return StringField(
        label, validators=[Length(max=length, message=f"最多 {length} 个字符")], **kwargs
    )


class SectionForm(Form):
    """One row of the sections table; an empty row is left out of the exam."""

    type = SelectField(
        "题型",
        choices=[SelectChoice(t, TYPE_TITLES[t]) for t in QUESTION_TYPES],
        validate_choice=False,
    )
    title = _text("标题")
    count = _text("题数", 8)
    points = _text("每题分值", 8)
    topics = _text("主题分布", 1000)
    difficulty = _text("难度分布", 200)


class ExamForm(BaseForm):
    code = _text(
        "试卷编号", 64, description="小写字母、数字和“-”，如 secretary-2027；保存后不能修改"
    )
    title = _text("标题")
    bank = SelectField("题库", validate_choice=False)
    time_limit_minutes = _text("限时（分钟）", 8)
    pass_mark = _text("合格线", 16, description="分数（如 60）或总分的百分比（如 60%）")
    shuffle_questions = BooleanField("打乱题目顺序")
    shuffle_options = BooleanField("打乱选项顺序")
    exam_only = BooleanField("仅用于考试（所用题库不开放练习）")
    max_page_leaves = _text(
        "离开答题页面次数上限", 8,
        description="留空为不限。考生会看到已离开的次数；超过上限的作答在成绩和实时情况中标记，"
        "供管理员查看，不会自动交卷或判为不合格",
    )  # fmt: skip
    review_show = SelectField(
        "交卷后考生可见",
        choices=[SelectChoice(k, SHOW_TITLES[k]) for k in REVIEW_SHOW],
        validate_choice=False,
    )
    review_from = SelectField(
        "何时可见",
        choices=[SelectChoice(k, FROM_TITLES[k]) for k in REVIEW_FROM],
        validate_choice=False,
    )
    topics = _text(
        "主题分布（各部分默认）", 1000, description="如 charter: 40%, branch: 60%，或写题数"
    )
    difficulty = _text("难度分布（各部分默认）", 200, description="如 1-2: 30%, 3: 40%, 4-5: 30%")
    sections = FieldList(FormField(SectionForm), min_entries=SECTION_ROWS, max_entries=SECTION_ROWS)
    submit = SubmitField("保存试卷规则")

    scoring_fields = tuple(SCORING_FIELDS)


for _name, _kind in SCORING_FIELDS.items():  # one 计分 choice per type that offers one
    setattr(
        ExamForm,
        _name,
        SelectField(
            f"{TYPE_TITLES[_kind]}计分",
            choices=[
                SelectChoice(mode, REGISTRY[_kind].scoring_titles[mode])
                for mode in REGISTRY[_kind].scoring_modes
            ],
            validate_choice=False,
        ),
    )


class ExamYamlForm(BaseForm):
    source = TextAreaField("试卷规则 YAML", validators=[DataRequired("请填写试卷规则")])
    submit = SubmitField("校验并保存")


def _minutes(label: str, high: int, low: int = 0) -> IntegerField:
    """A whole number between ``low`` and ``high``, pre-filled with ``low`` (which the
    field itself accepts)."""
    return IntegerField(
        label,
        default=low,
        validators=[
            InputRequired("请填写整数"),
            NumberRange(low, high, f"应为 {low} 到 {high} 之间的整数"),
        ],
    )


class SessionForm(BaseForm):
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
    access_code = _text("考场口令（可不填）", 32)
    max_attempts = _minutes("允许作答次数", 10, 1)
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
    minutes = _minutes("延长（分钟）", 7 * 24 * 60, 1)
    submit = SubmitField("延长")


class GrantForm(BaseForm):
    username = StringField(
        "考生用户名",
        validators=[DataRequired("请填写考生用户名"), Length(max=64, message="最多 64 个字符")],
    )
    extra_minutes = _minutes("加时（分钟）", 600)
    extra_attempts = _minutes("增加作答次数", 5)
    beyond_close = BooleanField("加时可超过场次结束时间")
    reason = StringField(
        "原因",
        validators=[DataRequired("请填写原因"), Length(max=TEXT, message=f"最多 {TEXT} 个字符")],
    )
    submit = SubmitField("确认调整")
