"""QuickSelect writes the same HTML as WTForms' own select widget, only faster."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms import SelectField as WTFormsSelectField
from wtforms.fields.choices import Choice, SelectChoice
from wtforms.widgets import Select

from interviewloop.forms import QuickSelect, SelectField

CHOICES = [
    SelectChoice("", "Any"),
    SelectChoice("a&b", 'Tom & "Jerry" <b>'),
    SelectChoice("it's", "it's"),
    SelectChoice("plain", ""),  # no label: the value shows
    SelectChoice("é ü", "Ünïcode"),
    SelectChoice("with-kw", "Has attributes", render_kw={"data_x": "1", "disabled": True}),
]


class _Form(Form):
    mine = SelectField("Mine", choices=CHOICES)
    theirs = WTFormsSelectField("Theirs", choices=CHOICES)


@pytest.mark.parametrize("picked", ["", "a&b", "it's", "plain", "é ü", "with-kw", "none of them"])
def test_the_options_are_those_wtforms_writes(picked):
    form = _Form(MultiDict({"mine": picked, "theirs": picked}))
    assert isinstance(form.mine.widget, QuickSelect)
    ours, theirs = str(form.mine(class_="x")), str(form.theirs(class_="x"))
    assert ours.replace('"mine"', '"theirs"') == theirs


def test_boolean_and_integer_values_as_wtforms_writes_them():
    field = _Form().mine
    for value, label in ((True, "Yes"), (False, "No"), (3, "Three"), (4, None)):
        for selected in (True, False):
            picked = Choice(value, label, selected, {})
            assert QuickSelect.render_option(picked) == Select.render_option(picked)
            assert (QuickSelect.render_option(picked, class_="c")
                    == Select.render_option(picked, class_="c"))
    assert field.widget is SelectField.widget
