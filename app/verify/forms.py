"""The verification form: a certificate number and the holder's name, both required."""

from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from app.forms import BaseForm


class VerifyForm(BaseForm):
    number = StringField(
        "证书编号",
        validators=[DataRequired("请输入证书编号"), Length(max=64, message="最多 64 个字符")],
    )
    name = StringField(
        "持证人姓名",
        validators=[DataRequired("请输入持证人姓名"), Length(max=100, message="最多 100 个字符")],
    )
    submit = SubmitField("核验")
