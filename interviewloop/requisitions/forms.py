from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from interviewloop import limits
from interviewloop.enums import Level
from interviewloop.forms import choices
from interviewloop.requisitions.models import OPERATING_QUESTIONS, PRODUCTION_SURFACE

if TYPE_CHECKING:
    from interviewloop.requisitions.service import Person

ANSWER = [Optional(), Length(max=limits.ANSWER)]


class RequisitionForm(FlaskForm):
    title = StringField("Job title",
                        validators=[DataRequired(), Length(max=limits.REQUISITION_TITLE.high)])
    level = SelectField("Level", choices=choices((lv.value, lv.label) for lv in Level))
    team = StringField("Team", validators=[DataRequired(), Length(max=limits.TEAM_NAME.high)])
    hiring_manager_id = SelectField("Hiring manager", coerce=int)
    recruiter_id = SelectField("Recruiter", coerce=int)

    ships = TextAreaField(OPERATING_QUESTIONS["ships"], validators=ANSWER)
    owns_after_launch = TextAreaField(OPERATING_QUESTIONS["owns_after_launch"], validators=ANSWER)
    success_measures = TextAreaField(OPERATING_QUESTIONS["success_measures"], validators=ANSWER)
    fails_in_seat = TextAreaField(OPERATING_QUESTIONS["fails_in_seat"], validators=ANSWER)

    surface_system = TextAreaField(PRODUCTION_SURFACE["surface_system"], validators=ANSWER)
    surface_inputs = TextAreaField(PRODUCTION_SURFACE["surface_inputs"], validators=ANSWER)
    surface_models = TextAreaField(PRODUCTION_SURFACE["surface_models"], validators=ANSWER)
    surface_orchestration = TextAreaField(PRODUCTION_SURFACE["surface_orchestration"],
                                          validators=ANSWER)
    surface_apis = TextAreaField(PRODUCTION_SURFACE["surface_apis"], validators=ANSWER)
    surface_data_stores = TextAreaField(PRODUCTION_SURFACE["surface_data_stores"],
                                        validators=ANSWER)
    surface_observability = TextAreaField(PRODUCTION_SURFACE["surface_observability"],
                                          validators=ANSWER)
    surface_failure_modes = TextAreaField(PRODUCTION_SURFACE["surface_failure_modes"],
                                          validators=ANSWER)
    surface_pager = TextAreaField(PRODUCTION_SURFACE["surface_pager"], validators=ANSWER)

    comp_currency = StringField("Currency", default="USD",
                                validators=[DataRequired(), Length(min=3, max=3)])
    comp_min = IntegerField("Band minimum", validators=[
        InputRequired("Enter the band's minimum."), NumberRange(min=0, max=100_000_000)])
    comp_max = IntegerField("Band maximum", validators=[
        InputRequired("Enter the band's maximum."), NumberRange(min=0, max=100_000_000)])
    hide_scorecards_until_debrief = BooleanField(
        "Keep scorecards hidden from other interviewers until the debrief")
    version = HiddenField()

    def set_people(self, managers: Iterable[Person], recruiters: Iterable[Person]) -> None:
        # A blank first choice, so that nobody is picked silently.
        self.hiring_manager_id.choices = choices(
            [(0, "Choose a hiring manager"), *((u.id, f"{u.name} ({u.email})") for u in managers)])
        self.recruiter_id.choices = choices(
            [(0, "Choose a recruiter"), *((u.id, f"{u.name} ({u.email})") for u in recruiters)])


class MemberForm(FlaskForm):
    user_id = SelectField("Interviewer", coerce=int)


class CandidateForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=limits.PERSON_NAME.high)])
    email = EmailField("Email", validators=[DataRequired(), Length(max=limits.EMAIL.high),
                                            Email(check_deliverability=False)])
    source = StringField("Source", validators=[Optional(), Length(max=limits.CANDIDATE_SOURCE)])
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=limits.CANDIDATE_NOTES)])
    # Checked against the zone database by the service (a form error, the input kept).
    time_zone = StringField("Time zone", default="UTC",
                            validators=[DataRequired("Enter a time zone, e.g. Europe/Paris."),
                                        Length(max=64)])
    version = HiddenField()
