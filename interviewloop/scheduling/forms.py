from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from interviewloop import limits
from interviewloop.auth.models import User
from interviewloop.forms import MultiCheckboxField, choices


class ScheduleForm(FlaskForm):
    interviewers = MultiCheckboxField("Interviewers", coerce=int,
                                      validators=[DataRequired("Choose at least one interviewer.")])
    # Trainees of the stage's pool, on top of the panel (their cards are practice cards).
    trainees = MultiCheckboxField("Trainees (on top of the panel)", coerce=int,
                                  validators=[Optional()])
    starts_at = DateTimeLocalField("Starts (your time zone)", format="%Y-%m-%dT%H:%M",
                                   validators=[InputRequired("Enter a start date and time.")])
    # Which of the two, when the start time happens twice (the clocks go back): kept across
    # edits, so that changing only the room keeps the interview where it was. Shown, with
    # each one's offset, only for such a time (set_readings).
    fold = SelectField("Which one", choices=choices([("", "Choose"), ("0", "the first"),
                                                     ("1", "the second")]), default="")
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

    def set_trainees(self, labelled: Iterable[tuple[int, str]]) -> None:
        self.trainees.choices = choices(labelled)

    def chosen_fold(self) -> int | None:
        return {"0": 0, "1": 1}.get(self.fold.data or "")

    def set_readings(self, labels: list[str]) -> None:
        """Name the two readings of an ambiguous start time, and show the choice."""
        self.fold.choices = choices([("", "Choose"),
                                     *((str(n), label) for n, label in enumerate(labels))])
        self.fold.render = True


class CancelForm(FlaskForm):
    reason = TextAreaField("Reason", validators=[Optional(), Length(max=limits.CHANGE_REASON)])





class ProposalRequestForm(FlaskForm):
    """Which days to propose a loop's times in (the recruiter's own days; each stage says
    how many interviewers it needs). Sent by POST: the options found are stored as the
    candidate's proposal."""

    starts_on = DateField("From", validators=[DataRequired("Enter the first day.")])
    ends_on = DateField("To (included)", validators=[DataRequired("Enter the last day.")])

    def validate_ends_on(self, field: DateField) -> None:
        if self.starts_on.data and field.data:
            days = (field.data - self.starts_on.data).days + 1
            if days < limits.PROPOSAL_DAYS.low:
                raise ValidationError("The last day is on or after the first.")
            if days > limits.PROPOSAL_DAYS.high:
                raise ValidationError(f"Ask for at most {limits.PROPOSAL_DAYS.high} days at once.")


class BookOptionForm(FlaskForm):
    """Book one proposed option: the option itself (signed when proposed) and a place."""

    option = HiddenField(validators=[DataRequired()])
    location = StringField("Location or video link",
                           validators=[Optional(), Length(max=limits.LOCATION)])
    # The request the option answered, to show its options again if booking is refused.
    starts_on = HiddenField()
    ends_on = HiddenField()
