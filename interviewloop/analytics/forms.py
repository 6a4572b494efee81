"""The analytics pages' filters: a GET form, so no CSRF token; a bad value is a form
error (400) with the input kept, never a 500."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import Optional, ValidationError

from interviewloop.analytics.queries import Filters
from interviewloop.enums import Level
from interviewloop.forms import choices

EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)  # no day outside is meaningful


def _in_range(_form: FlaskForm, field: DateField) -> None:
    if field.data is not None and not EARLIEST <= field.data <= LATEST:
        raise ValidationError(f"Give a day between {EARLIEST} and {LATEST}.")


class AnalyticsFilterForm(FlaskForm):
    class Meta:
        csrf = False

    FILTERS = ("level", "requisition", "since", "until")

    level = SelectField("Level", default="", choices=choices(
        [("", "Any level"), *((lv.value, lv.label) for lv in Level)]))
    requisition = SelectField("Requisition", default="")
    since = DateField("Interviews from", validators=[Optional(), _in_range])
    until = DateField("to", validators=[Optional(), _in_range])

    def set_requisitions(self, pairs: list[tuple[int, str]]) -> None:
        self.requisition.choices = choices(
            [("", "Any requisition"), *((str(rid), f"{title} (#{rid})") for rid, title in pairs)])

    def validate_until(self, field: DateField) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("The end comes before the start.")

    def filters(self) -> Filters:
        return Filters(level=Level(self.level.data) if self.level.data else None,
                       requisition_id=int(self.requisition.data) if self.requisition.data
                       else None, since=self.since.data, until=self.until.data)
