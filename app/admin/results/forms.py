"""Forms of the results area: confirming a previewed re-score, opening an attempt's keys."""

from wtforms import HiddenField
from wtforms.validators import DataRequired, Length

from app.forms import BaseForm


class RescoreForm(BaseForm):
    digest = HiddenField(
        validators=[
            DataRequired("预览已失效，请重新预览"),
            Length(min=64, max=64, message="预览已失效，请重新预览"),
        ]
    )


class OpenKeysForm(BaseForm):
    """A button (and its CSRF token): a system admin opens one attempt's keys, audited."""
