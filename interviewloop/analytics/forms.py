"""The analytics pages' filters: a GET form, so no CSRF token; a bad value is a form
error (400) with the input kept, never a 500."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField
from wtforms.validators import NumberRange, Optional, ValidationError

from interviewloop.analytics.queries import Filters
from interviewloop.analytics.questions import Order, QuestionFilters
from interviewloop.enums import Category, Level
from interviewloop.forms import SelectField, choices
from interviewloop.paging import MAX_PAGE

EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)  # no day outside is meaningful


def day_in_range(_form: FlaskForm, field: DateField) -> None:
    if field.data is not None and not EARLIEST <= field.data <= LATEST:
        raise ValidationError(f"Give a day between {EARLIEST} and {LATEST}.")


class AnalyticsFilterForm(FlaskForm):
    class Meta:
        csrf = False

    FILTERS = ("level", "requisition", "since", "until")

    level = SelectField("Level", default="", choices=choices(
        [("", "Any level"), *((lv.value, lv.label) for lv in Level)]))
    requisition = SelectField("Requisition", default="")
    since = DateField("Interviews from", validators=[Optional(), day_in_range])
    until = DateField("to", validators=[Optional(), day_in_range])

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


class FunnelFilterForm(AnalyticsFilterForm):
    """The same filters; the dates are when candidates were added."""

    since = DateField("Candidates added from", validators=[Optional(), day_in_range])


class QuestionFilterForm(FlaskForm):
    class Meta:
        csrf = False

    FILTERS = ("level", "category", "since", "until", "order")  # all but the page

    level = AnalyticsFilterForm.level
    category = SelectField("Category", default="", choices=choices(
        [("", "Any category"), *((c.value, c.label) for c in Category)]))
    since = AnalyticsFilterForm.since
    until = AnalyticsFilterForm.until
    order = SelectField("Order", default=Order.MOST_USED.value,
                        choices=choices([(o.value, o.label) for o in Order]))
    page = IntegerField("Page", default=1,
                        validators=[Optional(), NumberRange(min=1, max=MAX_PAGE)])

    validate_until = AnalyticsFilterForm.validate_until

    def filters(self) -> QuestionFilters:
        return QuestionFilters(
            level=Level(self.level.data) if self.level.data else None,
            category=Category(self.category.data) if self.category.data else None,
            since=self.since.data, until=self.until.data,
            order=Order(self.order.data or Order.MOST_USED.value))
