"""The one form of the results area: confirming a previewed re-score."""

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import DataRequired, Length


class RescoreForm(FlaskForm):
    digest = HiddenField(validators=[DataRequired(), Length(min=64, max=64)])
