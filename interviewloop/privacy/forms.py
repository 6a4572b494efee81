from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from interviewloop import limits
from interviewloop.forms import MultiCheckboxField, choices

OUTCOME_CHOICES = choices([("rejected", "Rejected"), ("withdrawn", "Withdrawn")])


class RuleForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(),
                                           Length(max=limits.RETENTION_RULE_NAME.high)])
    outcomes = MultiCheckboxField("Candidates who were", choices=OUTCOME_CHOICES,
                                  validators=[DataRequired("Choose rejected, withdrawn or both.")])
    after_days = IntegerField("More than this many days ago", validators=[
        InputRequired(), NumberRange(limits.RETENTION_DAYS.low, limits.RETENTION_DAYS.high)])
    enabled = BooleanField("Enabled (applied by `interviewloop apply-retention` and the "
                           "daily job)", default=True)
    version = HiddenField()


class ErasureForm(FlaskForm):
    reason = TextAreaField("Reason (for the audit log; the candidate's name and email are "
                           "taken out)", validators=[
                               DataRequired("Give the reason for the erasure."),
                               Length(max=limits.ERASURE_REASON.high)])
    confirm = BooleanField("I understand that this cannot be undone", validators=[
        DataRequired("Tick the box to confirm: an erasure cannot be undone.")])
