"""Forms of the test-taking pages (CSRF comes with FlaskForm)."""

from wtforms import StringField, SubmitField
from wtforms.validators import Length

from app.forms import BaseForm


class StartForm(BaseForm):
    access_code = StringField("考场口令", validators=[Length(max=32, message="最多 32 个字符")])
    submit = SubmitField("开始答题")
