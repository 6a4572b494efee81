from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from sqlalchemy import ColumnElement
from wtforms import DateField, EmailField, IntegerField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

from interviewloop import limits
from interviewloop.admin.audit_log import OBJECT_TYPES
from interviewloop.analytics.forms import day_in_range
from interviewloop.audit.service import Filters, Kind
from interviewloop.auth.passwords import MAX_LENGTH, MIN_LENGTH
from interviewloop.auth.service import time_zones
from interviewloop.enums import Role
from interviewloop.forms import MultiCheckboxField, SelectField, choices

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


class AuditFilterForm(FlaskForm):
    """The audit log's filters: a GET form (no CSRF token); a bad value is a form error
    (400) with the input kept, never a 500."""

    class Meta:
        csrf = False

    FILTERS = ("kind", "action", "who", "object_type", "object_id", "since", "until")

    kind = SelectField("Show", default=Kind.ALL.value, choices=choices(
        [(Kind.ALL.value, "Everything"), (Kind.CHANGES.value, "Changes"),
         (Kind.SIGN_INS.value, "Sign-ins")]))
    action = SelectField("Action", default="")
    who = EmailField("Who (email)", validators=[Optional(), Length(max=limits.EMAIL.high)],
                     description="A user's or a candidate's: what they did, and what was "
                                 "done about them.")
    object_type = SelectField("Object", default="", choices=choices(
        [("", "Any object"), *OBJECT_TYPES.items()]))
    object_id = IntegerField("Object id", validators=[Optional(), NumberRange(min=1,
                                                                             max=2**31 - 1)])
    since = DateField("From (UTC)", validators=[Optional(), day_in_range])
    until = DateField("To (UTC)", validators=[Optional(), day_in_range])

    def set_actions(self, known: list[str]) -> None:
        self.action.choices = choices([("", "All actions"), *((a, a) for a in known)])

    def validate_until(self, field: DateField) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("The end comes before the start.")

    def filters(self, actor_id: int | None, about: ColumnElement[bool] | None = None
                ) -> Filters:
        return Filters(kind=Kind(self.kind.data), action=self.action.data or None,
                       actor_id=actor_id, about=about, object_type=self.object_type.data or None,
                       object_id=self.object_id.data, since=self.since.data,
                       until=self.until.data)
