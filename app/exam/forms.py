"""Forms of the test-taking pages (CSRF comes with FlaskForm)."""

from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import Length


class StartForm(FlaskForm):
    access_code = StringField("考场口令", validators=[Length(max=32, message="最多 32 个字符")])
    submit = SubmitField("开始答题")


class SubmitForm(FlaskForm):
    submit = SubmitField("交卷")
