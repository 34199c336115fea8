"""Forms of practice: choosing what to practise, and reading an answer from a posted page."""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import HiddenField, IntegerField, SelectChoice, SelectMultipleField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.forms import BaseForm
from app.practice.services import MAX_QUESTIONS, BankChoice
from question_bank.model import TYPE_TITLES
from question_bank.types import REGISTRY

MIN_QUESTIONS = 5


class CheckboxesField(SelectMultipleField):
    """Checkboxes, with unknown values reported by the form (in Chinese), not by WTForms."""

    widget = ListWidget(html_tag="ul", prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, validate_choice=False, **kwargs)


class CountField(IntegerField):
    """An integer field whose "not a number" message is in Chinese."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError("题量应为整数") from exc


class StartForm(BaseForm):
    bank = HiddenField()
    topics = CheckboxesField("知识范围")
    types = CheckboxesField(
        "题型（不选即全部题型）", choices=[SelectChoice(k, v) for k, v in TYPE_TITLES.items()]
    )
    count = CountField(
        "题量",
        default=10,
        validators=[
            InputRequired("请填写题量"),
            NumberRange(
                MIN_QUESTIONS, MAX_QUESTIONS, f"题量应为 {MIN_QUESTIONS} 到 {MAX_QUESTIONS} 道"
            ),
        ],
    )
    submit = SubmitField("开始练习")

    def __init__(self, bank: BankChoice, chosen: list[str] | None = None, **kwargs: Any) -> None:
        """``chosen``: topics to tick at first (a failed test's weak ones), else all."""
        super().__init__(**kwargs)
        self.bank.data = bank.name
        self.topics.choices = [SelectChoice(k, v) for k, v in bank.topics.items()]
        if not self.is_submitted():
            self.topics.data = [t for t in chosen or () if t in bank.topics] or list(bank.topics)

    def validate_topics(self, field: CheckboxesField) -> None:
        if not field.data:
            raise ValidationError("请至少选择一个知识范围")
        known = {choice.value for choice in field.choices}
        unknown = [t for t in field.data if t not in known]
        if unknown:
            raise ValidationError(f"题库中没有这些知识范围：{'、'.join(unknown)[:100]}")

    def validate_types(self, field: CheckboxesField) -> None:
        if any(t not in TYPE_TITLES for t in field.data):
            raise ValidationError(f"题型只能是{'、'.join(TYPE_TITLES.values())}")


class AnswerForm(BaseForm):
    """The fixed part of an answer post; the answer fields depend on the question type."""

    question = HiddenField(
        validators=[DataRequired("缺少题目"), Length(max=64, message="最多 64 个字符")]
    )


class NotebookPracticeForm(BaseForm):
    bank = HiddenField(validators=[DataRequired("请选择题库")])


def raw_response(question_type: str, form: MultiDict[str, str]) -> Any:
    """The response as ``validate_response`` takes it, from the posted answer fields."""
    return REGISTRY[question_type].response_from_form(form.getlist("answer"))
