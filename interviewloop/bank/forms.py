from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SearchField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from interviewloop import limits
from interviewloop.bank.models import BenchmarkQuestion, CapabilityArea
from interviewloop.bank.schema import MINUTES_RANGE
from interviewloop.enums import Category, Level
from interviewloop.forms import MultiCheckboxField, SelectField, choices

CATEGORY_CHOICES = [(c.value, c.label) for c in Category]
LEVEL_CHOICES = [(lv.value, lv.label) for lv in Level]


class BankFilterForm(FlaskForm):
    """The bank list's filters; a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    FILTERS = ("q", "category", "level", "area", "benchmark", "status")  # all but the page

    q = SearchField("Search", validators=[Optional(), Length(max=limits.SEARCH_TEXT)])
    category = SelectField("Category", choices=choices([("", "Any category"), *CATEGORY_CHOICES]),
                           validate_choice=True, default="")
    level = SelectField("Level", choices=choices([("", "Any level"), *LEVEL_CHOICES]), default="")
    area = SelectField("Capability area", default="")
    benchmark = SelectField("Benchmark question", default="")
    status = SelectField("Status", default="active", choices=choices([
        ("active", "Active"), ("retired", "Retired"), ("all", "Active and retired")]))
    PAGES = 100_000  # the last page number a link may ask for
    page = IntegerField("Page", default=1, validators=[Optional(), NumberRange(min=1, max=PAGES)])

    def set_choices(self, areas: Iterable[CapabilityArea],
                    benchmarks: Iterable[BenchmarkQuestion]) -> None:
        self.area.choices = choices([("", "Any area"), *((a.slug, a.name) for a in areas)])
        self.benchmark.choices = choices([("", "Any benchmark"), *((b.slug, b.text) for b in benchmarks)])


class QuestionForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=limits.QUESTION_TITLE.high)])
    category = SelectField("Category", choices=choices(CATEGORY_CHOICES), validators=[DataRequired()])
    prompt = TextAreaField("Prompt, as the interviewer asks it",
                           validators=[DataRequired(), Length(max=limits.QUESTION_PROMPT.high)])
    signals = TextAreaField("Signals of a strong answer (one a line, at least 3)",
                            validators=[DataRequired(), Length(max=6000)])
    red_flags = TextAreaField("Red flags (one a line, at least 2)",
                              validators=[DataRequired(), Length(max=4000)])
    areas = MultiCheckboxField("Capability areas it probes",
                               validators=[DataRequired("Choose at least one area.")])
    levels = MultiCheckboxField("Levels it suits", choices=choices(LEVEL_CHOICES),
                                validators=[DataRequired("Choose at least one level.")])
    benchmarks = MultiCheckboxField("Benchmark questions it exercises")
    minutes = IntegerField("Suggested minutes", default=30, validators=[
        InputRequired("Enter the suggested minutes."), NumberRange(*MINUTES_RANGE)])
    version = HiddenField()

    def set_choices(self, areas: Iterable[CapabilityArea],
                    benchmarks: Iterable[BenchmarkQuestion]) -> None:
        self.areas.choices = choices((a.slug, a.name) for a in areas)
        self.benchmarks.choices = choices((b.slug, b.text) for b in benchmarks)
