"""Forms of the people area; choices are filled in by the view from the admin's scope,
so a forged id outside it fails validation like any unknown choice."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.admin.people.identity import clean_mobile
from app.admin.people.names import NameRefused, clean_name
from app.forms import BaseForm, FilterForm
from app.labels import ROLES
from app.models.people import Role

TOP_LEVEL = 0  # the parent choice meaning "no parent"


class ChoiceField(SelectField):
    """A select whose refusals of unknown or malformed values speak Chinese."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("invalid_value_message", "请从列表中选择")
        kwargs.setdefault("invalid_choice_message", "请从列表中选择")
        super().__init__(*args, **kwargs)


def as_choices(pairs: list[tuple[object, str]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def _mobile(form: FlaskForm, field: StringField) -> None:
    if field.data:
        try:
            field.data = clean_mobile(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _printable(what: str):
    """A validator storing the NFKC form and refusing unprintable characters."""

    def check(form: FlaskForm, field: StringField) -> None:
        if field.data:
            try:
                field.data = clean_name(field.data, what)
            except NameRefused as exc:
                raise ValidationError(str(exc)) from None

    return check


class UnitForm(BaseForm):
    name = StringField(
        "单位名称",
        [
            DataRequired("请填写单位名称"),
            Length(max=200, message="最多 200 个字"),
            _printable("单位名称"),
        ],
        filters=[_strip],
    )
    parent = ChoiceField("上级单位")
    submit = SubmitField("新建单位")


class RenameUnitForm(BaseForm):
    name = StringField(
        "新名称",
        [
            DataRequired("请填写单位名称"),
            Length(max=200, message="最多 200 个字"),
            _printable("单位名称"),
        ],
        filters=[_strip],
    )
    submit = SubmitField("改名")


class MoveUnitForm(BaseForm):
    parent = ChoiceField("移到此单位之下")
    submit = SubmitField("移动")


class PersonForm(BaseForm):
    name = StringField(
        "姓名",
        [DataRequired("请填写姓名"), Length(max=100, message="最多 100 个字"), _printable("姓名")],
        filters=[_strip],
    )
    unit = ChoiceField("单位")
    current_position = StringField(
        "职务", [Optional(), Length(max=100, message="最多 100 个字符")], filters=[_strip]
    )
    position = StringField(
        "拟任职务（任前测试合格证明上写明的职务）",
        [Optional(), Length(max=100, message="最多 100 个字符")],
        filters=[_strip],
    )
    phone = StringField("手机", [Optional(), _mobile], filters=[_strip])
    submit = SubmitField("保存")


class PeopleFilterForm(FilterForm):
    """The people list's filters: a GET form (links to a filtered list must work)."""

    q = StringField("搜索", [Optional(), Length(max=100, message="最多 100 个字符")])
    unit = ChoiceField("单位（含下级单位）", default=0)
    role = ChoiceField(
        "角色", coerce=str, default="",
        choices=[SelectChoice("", "全部角色"), *(SelectChoice(r.value, ROLES[r.value]) for r in Role)],
    )  # fmt: skip
    sort = ChoiceField(
        "排序", coerce=str, default="name",
        choices=[SelectChoice("name", "姓名（拼音）"), SelectChoice("number", "工号"),
                 SelectChoice("newest", "最近添加")],
    )  # fmt: skip


class RoleForm(BaseForm):
    role = ChoiceField(
        "角色", coerce=str, choices=[SelectChoice(r.value, ROLES[r.value]) for r in Role]
    )
    submit = SubmitField("修改角色")


class ImportForm(BaseForm):
    file = FileField("人员名单（CSV 或 XLSX）", [FileRequired("请选择要上传的文件")])
    submit = SubmitField("检查并预览")


class ConfirmImportForm(BaseForm):
    token = HiddenField(validators=[DataRequired("预览已过期或无效，请重新上传文件")])
    sitting = ChoiceField("同时为文件中的全部人员报名考试场次（可选）", default=0)
    submit = SubmitField("确认导入")


class RegisterPersonForm(BaseForm):
    user_id = HiddenField()  # set by the picker script when a suggestion is chosen
    person = StringField(
        "姓名、拼音首字母、用户名或工号",
        [
            DataRequired("请填写姓名、拼音首字母、用户名或工号"),
            Length(max=100, message="最多 100 个字符"),
        ],
    )
    submit = SubmitField("报名")


class RegisterUnitForm(BaseForm):
    unit = ChoiceField("单位（含下级单位）")
    submit = SubmitField("整体报名")


class ButtonForm(BaseForm):
    """Only the CSRF token: for buttons that act on the object in the URL."""
