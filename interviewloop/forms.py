"""Form pieces shared by features."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import abort
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

try:  # WTForms 3.3 deprecates (value, label) tuples as choices in favour of SelectChoice.
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover - WTForms < 3.3 only knows tuples
    SelectChoice = None


def choices(pairs: Iterable[tuple[object, str]]) -> list[Any]:
    """Select options from (value, label) pairs, in the shape the installed WTForms wants."""
    if SelectChoice is None:  # pragma: no cover
        return list(pairs)
    return [SelectChoice(value, label) for value, label in pairs]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ActionForm(FlaskForm):
    """A form with only the CSRF token, for POST buttons (retire, deactivate, ...)."""


def apply_domain_error(form: FlaskForm, exc: Exception) -> None:
    """Show a service's refusal beside the field it names, or at the top of the form."""
    field = getattr(exc, "field", None)
    if field and field in form._fields:
        form._fields[field].errors = [*form._fields[field].errors, str(exc)]
    else:
        form.form_errors.append(str(exc))


def form_status(form: FlaskForm) -> int:
    """200 for a fresh form, 422 for a submitted one being shown again with its errors."""
    return 422 if form.is_submitted() else 200


def seen_version(form: FlaskForm) -> int:
    """The row version a form was filled in on (its hidden ``version`` field), so that a
    save from a stale form is refused instead of overwriting; malformed is a 400."""
    try:
        return int(form.version.data or 0)
    except ValueError:
        abort(400, "The form's version field is malformed.")
