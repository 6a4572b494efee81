from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from interviewloop import limits
from interviewloop.bank.forms import CATEGORY_CHOICES
from interviewloop.bank.models import CapabilityArea
from interviewloop.forms import MultiCheckboxField, SelectField, choices


class SwapForm(FlaskForm):
    question_id = IntegerField("Replace with", validators=[Optional(), NumberRange(min=1)])


class StageForm(FlaskForm):
    name = StringField("Stage name", validators=[DataRequired(), Length(max=limits.STAGE_NAME.high)])
    category = SelectField("Category", choices=choices(CATEGORY_CHOICES))
    minutes = IntegerField("Minutes", default=45, validators=[
        InputRequired("Enter the minutes."),
        NumberRange(limits.STAGE_MINUTES.low, limits.STAGE_MINUTES.high)])
    question_count = IntegerField("Questions", default=2, validators=[
        InputRequired("Enter how many questions."),
        NumberRange(limits.QUESTIONS_PER_STAGE.low, limits.QUESTIONS_PER_STAGE.high)])
    focus = MultiCheckboxField("Focus areas", validators=[DataRequired("Choose a focus area.")])

    def set_areas(self, areas: Iterable[CapabilityArea]) -> None:
        self.focus.choices = choices((a.slug, a.name) for a in areas)


PANEL_SIZES = choices((n, str(n)) for n in range(limits.PANEL_SIZE.low, limits.PANEL_SIZE.high + 1))


class PanelSizeForm(FlaskForm):
    """How many interviewers a stage's panel needs (one form per stage on the loop page)."""

    panel_size = SelectField("Interviewers on the panel", coerce=int, choices=PANEL_SIZES)


class MoveForm(FlaskForm):
    direction = SelectField("Direction", choices=choices([("up", "Up"), ("down", "Down")]))


class SetRevisionForm(FlaskForm):
    """Replace one question of a requisition's set (one form per question on the page)."""

    stage_position = IntegerField(validators=[InputRequired(), NumberRange(min=0)])
    question_id = IntegerField(validators=[InputRequired(), NumberRange(min=1)])
    seen_number = IntegerField(validators=[InputRequired(), NumberRange(min=1)])
    replacement_id = IntegerField("Ask instead", validators=[Optional(), NumberRange(min=1)])
    reason = StringField("Why", validators=[Optional(),
                                            Length(max=limits.SET_REVISION_REASON.high)])
