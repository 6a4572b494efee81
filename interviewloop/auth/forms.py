from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, NumberRange, Optional

from interviewloop import limits
from interviewloop.auth.models import User
from interviewloop.forms import MultiCheckboxField, SelectField, choices
from interviewloop.timezones import WEEKDAYS, clock


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=limits.EMAIL.high)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=128)])


class AccountForm(FlaskForm):
    time_zone = StringField("Time zone", validators=[DataRequired(), Length(max=64)])
    job_title = StringField("Job title", validators=[Optional(), Length(max=limits.JOB_TITLE)])
    weekly_interview_cap = IntegerField("Weekly interview cap", validators=[
        Optional(), NumberRange(limits.WEEKLY_INTERVIEW_CAP.low, limits.WEEKLY_INTERVIEW_CAP.high)])


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired(), Length(max=128)])
    password = PasswordField("New password", validators=[DataRequired(), Length(max=128)])
    confirm = PasswordField("New password again", validators=[
        DataRequired(), EqualTo("password", message="The two new passwords differ.")])


class CodeForm(FlaskForm):
    # Text, not a password field: a mistyped code is shown again to be corrected.
    code = StringField("Code", validators=[DataRequired(), Length(max=64)])


class TwoFactorOffForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired(), Length(max=128)])
    code = StringField("Code from your app, or a recovery code",
                       validators=[DataRequired(), Length(max=64)])


# Quarter hours from 00:00 to 24:00.
QUARTER_HOURS = choices((m, clock(m)) for m in range(limits.WORK_MINUTE.low,
                                                      limits.WORK_MINUTE.high + 1, 15))


class WorkingHoursForm(FlaskForm):
    """One person's working hours, in their own time zone (their own, or an admin's page)."""

    work_starts = SelectField("From", coerce=int, choices=QUARTER_HOURS,
                              validators=[InputRequired("Choose when the working day starts.")])
    work_ends = SelectField("To", coerce=int, choices=QUARTER_HOURS,
                            validators=[InputRequired("Choose when the working day ends.")])
    work_days = MultiCheckboxField("Working days", coerce=int,
                                   choices=choices(enumerate(WEEKDAYS)),
                                   validators=[DataRequired("Choose at least one working day.")])

    def fill(self, user: User) -> None:
        """Show ``user``'s hours (on a page not yet submitted)."""
        hours = user.working_hours
        self.work_starts.data, self.work_ends.data = hours.starts, hours.ends
        self.work_days.data = hours.weekdays
