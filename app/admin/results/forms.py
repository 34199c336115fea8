"""Forms of the results area: confirming a previewed re-score, opening an attempt's keys."""

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import DataRequired, Length


class RescoreForm(FlaskForm):
    digest = HiddenField(
        validators=[
            DataRequired("预览已失效，请重新预览"),
            Length(min=64, max=64, message="预览已失效，请重新预览"),
        ]
    )


class OpenKeysForm(FlaskForm):
    """A button (and its CSRF token): a system admin opens one attempt's keys, audited."""
