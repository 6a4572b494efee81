from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from interviewloop import limits
from interviewloop.auth.passwords import MAX_LENGTH, MIN_LENGTH
from interviewloop.auth.service import time_zones
from interviewloop.enums import Role
from interviewloop.forms import MultiCheckboxField, choices

ROLE_CHOICES = choices((r.value, r.label) for r in Role)


def _zone_choices() -> list:
    return choices((z, z) for z in sorted(time_zones()))


class UserFieldsForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=limits.PERSON_NAME.high)])
    roles = MultiCheckboxField("Roles", choices=ROLE_CHOICES,
                               validators=[DataRequired("Choose at least one role.")])
    time_zone = SelectField("Time zone", default="UTC")
    job_title = StringField("Job title", validators=[Optional(), Length(max=limits.JOB_TITLE)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.time_zone.choices = _zone_choices()


class UserCreateForm(UserFieldsForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=limits.EMAIL.high),
                                            Email(check_deliverability=False)])
    password = PasswordField("Initial password", validators=[
        DataRequired(), Length(min=MIN_LENGTH, max=MAX_LENGTH)])


class UserEditForm(UserFieldsForm):
    pass


class PasswordResetForm(FlaskForm):
    password = PasswordField("New password", validators=[
        DataRequired(), Length(min=MIN_LENGTH, max=MAX_LENGTH)])
