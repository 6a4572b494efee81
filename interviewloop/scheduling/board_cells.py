"""A board row's stage cells as HTML (the template global ``board_cells``).

Built here rather than in the template, as the RSVP badges are (badges.py): a board page
has a hundred and more cells, and Jinja's escape and attribute lookup per value in each
was most of the page's rendering. The markup, spacing included, is what the template's
loop wrote; every value from the database (stage names, panelists' names, calendars) is
escaped here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from jinja2 import Environment, pass_environment
from markupsafe import Markup, escape

from interviewloop.scheduling.badges import rsvp_badges
from interviewloop.scheduling.queries import StageCell, StageState

Url = Callable[[int], str]
NO_LOOP = Markup('\n          <span class="muted">No loop yet.</span>\n        ')


def _booked(env: Environment, cell: StageCell, interview_url: Url) -> str:
    interview = cell.interview
    assert interview is not None
    local = env.filters["local"]
    behind = ""
    if cell.calendar_behind:
        who = ", ".join([escape(name) for name in cell.calendar_behind])
        behind = f'<span class="tag flagged calendar-behind">calendar behind: {who}</span>'
    scorecards = ""
    if cell.state == StageState.DONE:
        late = (f' · <span class="tag flagged">{int(cell.overdue)} overdue</span>'
                if cell.overdue else "")
        scorecards = (f'<span class="meta scorecards">scorecards {int(cell.submitted)}/'
                      f"{int(interview.panel_size)} in{late}</span>")
    return (f'\n              <a href="{escape(interview_url(interview.id))}">'
            f"{escape(local(interview.starts_at))}</a>\n"
            f'              <span class="meta">{cell.state.value} · '
            f"{rsvp_badges(env, cell.answers)}</span>\n"
            f"              {behind}\n              {scorecards}\n            ")


def _open(cell: StageCell, candidate_id: int, schedule_url: Url, proposals_url: Url) -> str:
    proposed = (f'<a class="tag state-proposed" href="{escape(proposals_url(candidate_id))}">'
                "times proposed</a>" if cell.state == StageState.PROPOSED else "")
    return (f"\n              {proposed}\n"
            f'              <a class="button small" href="{escape(schedule_url(cell.stage.id))}">'
            "Schedule</a>\n            ")


@pass_environment
def board_cells(env: Environment, cells: Sequence[StageCell], candidate_id: int,
                interview_url: Url, schedule_url: Url, proposals_url: Url) -> Markup:
    """The cells of a candidate's row (their loop's stages), or that they have no loop."""
    if not cells:
        return NO_LOOP
    parts = []
    for cell in cells:
        inner = (_booked(env, cell, interview_url) if cell.interview is not None
                 else _open(cell, candidate_id, schedule_url, proposals_url))
        parts.append(f'\n          <div class="cell state-{cell.state.value}">\n'
                     f"            <strong>{escape(cell.stage.name)}</strong>\n"
                     f"            {inner}\n          </div>\n        ")
    return Markup("".join(parts))  # noqa: S704 - each value escaped above
