from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange

from interviewloop import limits
from interviewloop.api.models import ApiScope
from interviewloop.api.service import DEFAULT_DAYS
from interviewloop.forms import MultiCheckboxField, SelectField, choices

SCOPE_CHOICES = choices((s.value, s.value) for s in ApiScope)


class TokenForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(),
                                           Length(max=limits.API_TOKEN_NAME.high)])
    scopes = MultiCheckboxField("Scopes", choices=SCOPE_CHOICES,
                                validators=[DataRequired("Choose at least one scope.")])
    days = IntegerField("Expires after (days)", default=DEFAULT_DAYS, validators=[
        DataRequired(), NumberRange(limits.API_TOKEN_DAYS.low, limits.API_TOKEN_DAYS.high)])


class ServiceTokenForm(TokenForm):
    user_id = SelectField("Acts as", coerce=int, validators=[DataRequired()])
