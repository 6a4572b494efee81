from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from interviewloop import limits
from interviewloop.auth.models import User
from interviewloop.enums import Category, Level
from interviewloop.forms import SelectField, choices
from interviewloop.pools.models import PoolState


def _people(users: Iterable[User], blank: str) -> list:
    return choices([("", blank), *((str(u.id), u.name) for u in users)])


def _id(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


class PoolForm(FlaskForm):
    category = SelectField("Question category", validators=[DataRequired("Choose a category.")],
                           choices=choices([("", "Choose"), *((c.value, c.label) for c in Category)]))
    level = SelectField("Level", validators=[DataRequired("Choose a level.")],
                        choices=choices([("", "Choose"), *((lv.value, lv.label) for lv in Level)]))
    owner = SelectField("Owner (signs off promotions, coaches by default)",
                        validators=[DataRequired("Choose an owner.")])

    def set_people(self, users: Iterable[User]) -> None:
        self.owner.choices = _people(users, "Choose")

    @property
    def owner_id(self) -> int | None:
        return _id(self.owner.data)


class _CoachChoice:
    coach: SelectField

    @property
    def coach_id(self) -> int | None:
        return _id(self.coach.data)


class MemberForm(_CoachChoice, FlaskForm):
    user = SelectField("Interviewer", validators=[DataRequired("Choose an interviewer.")])
    state = SelectField("Starts as", default=PoolState.SHADOW.value, choices=choices(
        (s.value, s.label) for s in PoolState))
    coach = SelectField("Coach (default: the pool's owner)", validators=[Optional()])
    note = TextAreaField("Note", validators=[Optional(), Length(max=limits.CHANGE_REASON)])

    def set_people(self, addable: Iterable[User], coaches: Iterable[User]) -> None:
        self.user.choices = _people(addable, "Choose")
        self.coach.choices = _people(coaches, "The pool's owner")

    @property
    def user_id(self) -> int | None:
        return _id(self.user.data)


class PromoteForm(FlaskForm):
    expected = HiddenField()  # the state the signer saw
    note = TextAreaField("Sign-off note", validators=[Optional(), Length(max=limits.CHANGE_REASON)])


class CoachForm(_CoachChoice, FlaskForm):
    coach = SelectField("Coach", validators=[Optional()])

    def set_people(self, coaches: Iterable[User]) -> None:
        self.coach.choices = _people(coaches, "The pool's owner")


class RemoveForm(FlaskForm):
    note = TextAreaField("Why", validators=[Optional(), Length(max=limits.CHANGE_REASON)])
