from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional

from interviewloop import limits


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
