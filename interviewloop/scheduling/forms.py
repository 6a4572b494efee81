from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from interviewloop import limits
from interviewloop.auth.models import User
from interviewloop.forms import MultiCheckboxField, choices


class ScheduleForm(FlaskForm):
    interviewers = MultiCheckboxField("Interviewers", coerce=int,
                                      validators=[DataRequired("Choose at least one interviewer.")])
    starts_at = DateTimeLocalField("Starts (your time zone)", format="%Y-%m-%dT%H:%M",
                                   validators=[InputRequired("Enter a start date and time.")])
    # Wide on purpose: the service words the length rule (and "ends before it starts").
    minutes = IntegerField("Minutes", validators=[
        InputRequired("Enter the length in minutes."),
        NumberRange(-10_000, 10_000, f"An interview lasts {limits.INTERVIEW_MINUTES.low} to "
                                     f"{limits.INTERVIEW_MINUTES.high} minutes.")])
    location = StringField("Location or video link",
                           validators=[Optional(), Length(max=limits.LOCATION)])
    reason = TextAreaField("Reason for the change",
                           validators=[Optional(), Length(max=limits.CHANGE_REASON)])
    confirm_over_cap = BooleanField("Book it anyway (over the weekly cap or a busy time)")

    def set_interviewers(self, users: Iterable[User]) -> None:
        self.interviewers.choices = choices((u.id, u.name) for u in users)


class CancelForm(FlaskForm):
    reason = TextAreaField("Reason", validators=[Optional(), Length(max=limits.CHANGE_REASON)])

