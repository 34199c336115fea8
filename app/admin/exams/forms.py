"""Forms of the exams and sittings pages (CSRF comes with FlaskForm).

The exam forms hold text only: what the values mean is decided by the exam YAML
checks (``parse_exam`` via ``save_exam``), whose messages come back onto the fields.
"""

from __future__ import annotations

from wtforms import (
    BooleanField,
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
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from app.forms import BaseForm
from question_bank.exam import REVIEW_FROM, REVIEW_SHOW, SCORING_FIELDS
from question_bank.model import QUESTION_TYPES, TYPE_TITLES
from question_bank.types import REGISTRY

SHOW_TITLES = {"score_only": "只显示成绩", "answers": "显示对错", "keys": "显示对错和答案"}
FROM_TITLES = {"immediately": "交卷后立即", "after_close": "场次结束后"}
SECTION_ROWS = len(QUESTION_TYPES)
TEXT = 200


def text_field(label: str, length: int = TEXT, **kwargs) -> StringField:
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
    title = text_field("标题")
    count = text_field("题数", 8)
    points = text_field("每题分值", 8)
    topics = text_field("主题分布", 1000)
    difficulty = text_field("难度分布", 200)


class ExamForm(BaseForm):
    code = text_field(
        "试卷编号", 64, description="小写字母、数字和“-”，如 secretary-2027；保存后不能修改"
    )
    title = text_field("标题")
    bank = SelectField("题库", validate_choice=False)
    time_limit_minutes = text_field("限时（分钟）", 8)
    pass_mark = text_field("合格线", 16, description="分数（如 60）或总分的百分比（如 60%）")
    shuffle_questions = BooleanField("打乱题目顺序")
    shuffle_options = BooleanField("打乱选项顺序")
    exam_only = BooleanField("仅用于考试（所用题库不开放练习）")
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
    topics = text_field(
        "主题分布（各部分默认）", 1000, description="如 charter: 40%, branch: 60%，或写题数"
    )
    difficulty = text_field(
        "难度分布（各部分默认）", 200, description="如 1-2: 30%, 3: 40%, 4-5: 30%"
    )
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


def minutes_field(label: str, high: int, low: int = 0) -> IntegerField:
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
