from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=128)])


class AccountForm(FlaskForm):
    time_zone = StringField("Time zone", validators=[DataRequired(), Length(max=64)])
    weekly_interview_cap = IntegerField("Weekly interview cap", validators=[
        Optional(), NumberRange(1, 50)])
