from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from interviewloop import limits


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=limits.EMAIL.high)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=128)])
