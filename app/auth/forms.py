"""Login and password forms."""

from wtforms import PasswordField, StringField, SubmitField, ValidationError
from wtforms.validators import DataRequired, EqualTo, Length

from app.auth.password_rules import password_problem
from app.forms import BaseForm


class LoginForm(BaseForm):
    username = StringField(
        "用户名", validators=[DataRequired("请输入用户名"), Length(max=64, message="用户名过长")]
    )
    password = PasswordField(
        "密码", validators=[DataRequired("请输入密码"), Length(max=128, message="密码过长")]
    )
    submit = SubmitField("登录")


class ChangePasswordForm(BaseForm):
    current = PasswordField("当前密码", validators=[DataRequired("请输入当前密码")])
    new = PasswordField(
        "新密码",
        validators=[DataRequired("请输入新密码"), Length(8, 128, "新密码长度应为 8 到 128 个字符")],
    )
    confirm = PasswordField("再次输入新密码", validators=[EqualTo("new", "两次输入的新密码不一致")])
    submit = SubmitField("修改密码")

    def __init__(self, user, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_new(self, field: PasswordField) -> None:
        problem = password_problem(
            field.data, self.current.data or "", self.user.username, self.user.name
        )
        if problem:
            raise ValidationError(problem)
