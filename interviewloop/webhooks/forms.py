from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import DataRequired, Length

from interviewloop.forms import MultiCheckboxField, choices
from interviewloop.webhooks.models import DESCRIPTION_LENGTH, URL_LENGTH
from interviewloop.webhooks.service import event_choices


class EndpointForm(FlaskForm):
    url = StringField("URL", validators=[DataRequired(), Length(max=URL_LENGTH)])
    description = StringField("Description", validators=[Length(max=DESCRIPTION_LENGTH)])
    events = MultiCheckboxField("Events", choices=choices(event_choices()),
                                validators=[DataRequired("Choose at least one event.")])
    active = BooleanField("Active (deliver events to it)", default=True)
    version = HiddenField()
