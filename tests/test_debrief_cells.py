"""The debrief's repeated parts (debrief/cells.py, built in Python for the page's sake):
every value from the database is escaped, and each kind of cell, line and list writes what
it did."""

from __future__ import annotations

from datetime import UTC, datetime

from interviewloop.analytics.leniency import Adjusted, AreaOffset, Offset
from interviewloop.bank.models import CapabilityArea
from interviewloop.debrief import cells
from interviewloop.debrief.service import (
    AreaStats,
    Card,
    CardNote,
    CardRating,
    CardState,
    Interviewer,
    PanelState,
    Signal,
)
from interviewloop.scorecards.models import Recommendation

HOSTILE = '<img src=x onerror="alert(1)">'
ESCAPED = "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;"
AREAS = [CapabilityArea(id=1, name=HOSTILE, position=0), CapabilityArea(id=2, name="Coding", position=1)]


def card(card_id: int, who: int, *ratings: CardRating) -> Card:
    return Card(card_id, who, HOSTILE, HOSTILE, Recommendation.HIRE, "", ratings,
                (CardNote(1, "note"),))


def who(_user_id: int, name: str) -> str:
    return name


def url(n: int) -> str:
    return f"/scorecards/{n}?a=1&b=2"


CARDS = [card(7, 1, CardRating(1, 3, HOSTILE), CardRating(2, None, "")),
         card(8, 2, CardRating(1, 1, ""))]
RATINGS = {(c.id, r.area_id): r for c in CARDS for r in c.ratings}
OFFSET = Offset(0.5, 12, 0.25, {1: AreaOffset(0.75, 9, 0.5)})
AIDS = {(7, 1): Adjusted(2.5, OFFSET, OFFSET.areas[1]), (8, 1): Adjusted(0.75, OFFSET, None)}


def test_rows_escape_and_mark_each_kind_of_cell():
    html = str(cells.rating_rows(CARDS, AREAS, RATINGS, {1}, AIDS, who, url))
    assert HOSTILE not in html
    assert html.count(ESCAPED) == 5  # two names, two stages, one piece of evidence
    assert 'href="/scorecards/7?a=1&amp;b=2"' in html
    assert '<td class="rating-3 flagged-cell">' in html and "<details open><summary>3 Yes" in html
    assert '<td class="rating-na">' in html and "not assessed" in html  # rated None: not assessed
    assert "usual offset in this area removed (+0.50)" in html and "adj.&nbsp;2.5" in html
    assert "usual offset across areas (too few of their ratings in this area) removed (+0.25)" in html
    assert html.count("<td>Hire</td></tr>") == 2
    empty = str(cells.rating_rows([], AREAS, {}, set(), {}, who, url))
    assert 'colspan="4"' in empty and "No submitted scorecards yet." in empty


def test_flag_evidence_lists_only_rated_cards_escaped():
    html = str(cells.flag_evidence(CARDS, RATINGS, 1, who))
    assert HOSTILE not in html and html.count("<li>") == 2
    assert f"({ESCAPED}): 3 Yes: {ESCAPED}</li>" in html
    assert f"({ESCAPED}): 1 Strong no</li>" in html  # no evidence: no colon
    assert str(cells.flag_evidence(CARDS, RATINGS, 2, who)) == "\n  \n"  # nobody rated it


def test_the_foot_and_the_reading_aid_lines():
    stats = [AreaStats(AREAS[0], 2, 2.0, 1, 3), AreaStats(AREAS[1], 0, None, None, None)]
    foot = str(cells.stats_rows(stats))
    assert '<td class="">2.0</td>' in foot and '<td class="flag">2</td>' in foot
    assert foot.count(cells.NO_FIGURE) == 4  # the unrated area, in each row
    lines = str(cells.reading_aid_lines(CARDS, AIDS, who, AREAS))
    assert HOSTILE not in lines and lines.count("<li>") == 2
    assert (f"+0.50 over 12 other candidates; +0.25 removed. By area: {ESCAPED} +0.50 (9); "
            "other areas, too few: +0.25.</li>") in lines


def test_summaries_states_and_signals_escape_and_write_each_branch():
    html = str(cells.summaries(CARDS, {1: HOSTILE}, who))
    assert HOSTILE not in html
    assert f'<dl class="answers"><dt>{ESCAPED}</dt><dd>note</dd></dl>' in html
    assert html.count("No summary written.") == 2
    assert "No submitted scorecards yet." in str(cells.summaries([], {}, who))
    at = datetime(2026, 12, 1, tzinfo=UTC)
    states = [PanelState(1, HOSTILE, at, Interviewer(1, HOSTILE), 7, CardState.SUBMITTED),
              PanelState(2, "Coding", at, Interviewer(2, "Bo"), 8, CardState.DRAFT)]
    listed = str(cells.panel_states(states, who, url))
    assert HOSTILE not in listed and listed.count(ESCAPED) == 2
    assert listed.count(">open</a>") == 1 and 'href="/scorecards/7?a=1&amp;b=2"' in listed
    assert '<span class="tag state-draft">draft</span></li>' in listed
    assert "No interviews yet." in str(cells.panel_states([], who, url))
    given = str(cells.question_signals([Signal(1, HOSTILE, "not_observed", ""),
                                        Signal(2, "Bo", "yes", HOSTILE)], who))
    assert HOSTILE not in given
    assert f'<div class="signal signal-not_observed">{ESCAPED}: not observed</div>' in given
    assert f"Bo: yes: {ESCAPED}</div>" in given
    assert str(cells.question_signals([], who)) == '<span class="muted">no signals</span>'
