from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

FORMAT = "%Y-%m-%dT%H:%M"


class TimeZoneForm(FlaskForm):
    # Checked against the zone database by the service (a form error, the input kept).
    time_zone = StringField("Your time zone", validators=[
        DataRequired("Enter your time zone, e.g. Europe/Paris."), Length(max=64)])


class WindowForm(FlaskForm):
    starts_at = DateTimeLocalField("From", format=FORMAT, validators=[
        InputRequired("Enter the date and time you are available from.")])
    ends_at = DateTimeLocalField("Until", format=FORMAT, validators=[
        InputRequired("Enter the date and time you are available until.")])
