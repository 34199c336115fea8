"""Forms of the certificates area."""

from __future__ import annotations

from wtforms import SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.forms import BaseForm, FilterForm
from app.labels import STATUSES


class CertificateFilterForm(FilterForm):
    """A GET form: links to a filtered list must work."""

    q = StringField("编号或持证人", [Optional(), Length(max=100, message="最多 100 个字符")])
    status = SelectField(
        "状态", default="",
        choices=[SelectChoice("", "全部"), *(SelectChoice(s, STATUSES[s]) for s in ("valid", "expired", "revoked"))],
    )  # fmt: skip
    title = SelectField(
        "证书", default="", choices=[SelectChoice("", "全部")], validate_choice=False
    )


class RevokeForm(BaseForm):
    reason = TextAreaField(
        "撤销原因（会显示在核验页面）",
        [DataRequired("请写明撤销原因"), Length(max=500, message="原因最多 500 个字")],
    )
    submit = SubmitField("撤销证书")


class ReissueForm(BaseForm):
    submit = SubmitField("换发新证书")
