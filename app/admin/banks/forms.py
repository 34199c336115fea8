"""Forms of the bank pages (CSRF comes with FlaskForm).

The question form has no validators of its own: its fields are named after the YAML
fields and checked by the bank validator (see ``drafts``), so choices are not enforced
here either — a forged type or topic gets the validator's message.
"""

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired
from wtforms.widgets import HiddenInput

from app.forms import BaseForm, FilterForm
from question_bank.formats import ACCEPTED_EXTENSIONS, NO_DEFAULTS
from question_bank.model import TYPE_TITLES
from question_bank.types import REGISTRY

TYPE_CHOICES = [SelectChoice(kind, title) for kind, title in TYPE_TITLES.items()]
DIFFICULTY_CHOICES = [
    SelectChoice(str(n), f"{n}（{'较易' if n < 3 else '中等' if n == 3 else '较难'}）")
    for n in range(1, 6)
]
STATUS_CHOICES = [
    SelectChoice("", "全部状态"),
    SelectChoice("current", "在用"),
    SelectChoice("retired", "已停用"),
]


class QuestionForm(BaseForm):
    id = StringField(
        "题目编号", description="字母、数字、“_”和“-”，如 charter-0101；保存后不能再改"
    )
    type = SelectField("题型", choices=TYPE_CHOICES, validate_choice=False)
    topic = SelectField("主题", choices=[], validate_choice=False)
    difficulty = SelectField("难度", choices=DIFFICULTY_CHOICES, default="3", validate_choice=False)
    stem = TextAreaField(
        "题干", description="；".join(t.stem_hint for t in REGISTRY.values() if t.stem_hint)
    )
    options = TextAreaField(
        "选项",
        description="每行一个，依次为 A、B、C……；"
        + "、".join(t.title for t in REGISTRY.values() if not t.has_options)
        + "留空",
    )
    answer = TextAreaField("答案", description="；".join(t.editor_hint for t in REGISTRY.values()))
    explanation = TextAreaField("解析（可选）")
    source = StringField("出处", description="依据的文件和条款，如《中国共产党章程》第十条")
    tags = StringField("标签（可选）", description="多个标签用逗号隔开")
    shuffle_options = BooleanField("考试时打乱选项顺序", default=True)
    excludes = StringField(
        "互斥题（可选）",
        description="会泄露本题答案、不能与本题同卷的题目编号，多个用逗号隔开",
    )
    seen_version = IntegerField(
        widget=HiddenInput(), validators=[InputRequired("页面已过期，请刷新后重试")]
    )
    submit = SubmitField("保存并发布新版本")


class RetireForm(BaseForm):
    seen_version = IntegerField(
        widget=HiddenInput(), validators=[InputRequired("页面已过期，请刷新后重试")]
    )
    submit = SubmitField("停用此题")


class QuestionFilterForm(FilterForm):
    q = StringField("题干包含")
    topic = SelectField("主题", choices=[], validate_choice=False)
    type = SelectField(
        "题型", choices=[SelectChoice("", "全部题型"), *TYPE_CHOICES], validate_choice=False
    )
    difficulty = SelectField(
        "难度", choices=[SelectChoice("", "全部难度"), *DIFFICULTY_CHOICES], validate_choice=False
    )
    status = SelectField("状态", choices=STATUS_CHOICES, validate_choice=False)
    tag = SelectField("标签", choices=[], validate_choice=False)


class UploadForm(BaseForm):
    file = FileField(
        "题库文件（YAML、Excel、Word、Moodle XML、GIFT 或 Aiken）",
        validators=[FileRequired("请选择要上传的题库文件")],
        render_kw={"accept": ",".join(ACCEPTED_EXTENSIONS)},
    )
    bank = StringField(
        "题库编号（文件中没有时使用）",
        description=f"小写字母、数字和“-”，如 party-basics；默认 {NO_DEFAULTS.bank}",
    )
    title = StringField("题库名称（文件中没有时使用）", description=f"默认“{NO_DEFAULTS.title}”")
    submit = SubmitField("校验并比较")


class PublishForm(BaseForm):
    submit = SubmitField("发布")
