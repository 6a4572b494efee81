"""Each panelist's answer to the invite as a badge (the board, the loop page, the interview
page): a flagged one (declined, or no answer by two business days before: rsvp.py
needs_chasing) is for the recruiter to chase.

Built here rather than in a Jinja macro: a board page shows hundreds of badges, and a
macro call with a dozen escapes per badge was a third of its rendering. What is shown
of the answer's state is named once per state, escaped once; the panelist's name (user
input) is escaped in every badge, as is the time of the answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from jinja2 import Environment, pass_environment
from markupsafe import Markup, escape

from interviewloop.scheduling.models import RsvpState
from interviewloop.scheduling.rsvp import PanelAnswer

# Per state: the badge's opening up to its flag class, and its label (both escaped).
_OPENING = {state: (Markup('<span class="tag rsvp rsvp-') + state.value, escape(state.label))
            for state in RsvpState}


def _badge(answer: PanelAnswer, local: Callable[[datetime], str]) -> str:
    opening, label = _OPENING[answer.state]
    flag = " flagged" if answer.flagged else ""
    at = f" {escape(local(answer.at))}" if answer.at else ""
    chase = ": chase" if answer.flagged else ""
    mark = " ⚑" if answer.flagged else ""
    return (f'{opening}{flag}" data-user="{int(answer.user_id)}" title="{label}{at}{chase}">'
            f"{escape(answer.name)}: {label}{mark}</span>")


@pass_environment
def rsvp_badges(env: Environment, answers: Iterable[PanelAnswer]) -> Markup:
    """The answers' badges, one space apart, in a ``span.rsvp`` (the templates' global
    ``rsvp_badges(answers)``); the time of an answer as the ``local`` filter shows it."""
    local = env.filters["local"]
    inner = " ".join([_badge(answer, local) for answer in answers])
    return Markup(f'<span class="rsvp">{inner}</span>')  # noqa: S704 - each part escaped above
