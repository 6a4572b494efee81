from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional

from interviewloop.calendars.models import COLLECTION_LENGTH


class CollectionForm(FlaskForm):
    collection = StringField("Their calendar collection (a path under the calendar server)",
                             validators=[Optional(), Length(max=COLLECTION_LENGTH)])
