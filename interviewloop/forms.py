"""Form pieces shared by features."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import abort
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import SelectField as _SelectField
from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget
from wtforms.widgets import Select as _Select

try:  # WTForms 3.3 deprecates (value, label) tuples as choices in favour of SelectChoice.
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover - WTForms < 3.3 only knows tuples
    SelectChoice = None


def choices(pairs: Iterable[tuple[object, str]]) -> list[Any]:
    """Select options from (value, label) pairs, in the shape the installed WTForms wants."""
    if SelectChoice is None:  # pragma: no cover
        return list(pairs)
    return [SelectChoice(value, label) for value, label in pairs]


class QuickSelect(_Select):
    """WTForms' select, with its plain options (no attributes of their own) written
    directly: the same HTML, without an attribute sort, a Markup.format and a look at
    render_option's signature per option. The audit log's action filter has some hundred
    options, and rendering them was a fifth of that page's time."""

    @classmethod
    def _dispatch_render_option(cls) -> Any:
        return cls.render_option  # our own render_option takes the choice

    @classmethod
    def render_option(cls, choice: Any, **kwargs: Any) -> Markup:
        if kwargs or choice.render_kw:
            rendered: Markup = super().render_option(choice, **kwargs)
            return rendered
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        label = escape(choice.label or value)
        # html_params' order: "selected" sorts before "value".
        selected = "selected " if choice.selected else ""
        return Markup(f'<option {selected}value="{escape(value)}">{label}</option>')  # noqa: S704 - both escaped


class SelectField(_SelectField):
    """A select field rendered by QuickSelect: use it instead of WTForms' own."""

    widget = QuickSelect()


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
