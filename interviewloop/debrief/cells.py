"""The debrief page's repeated parts as HTML (template globals): the ratings table's rows
and foot, the evidence listed under each flag and the reading aid's line per interviewer.

Written here rather than in show.html, as the board's cells are (scheduling/board_cells.py):
at ten scorecards over five areas, Jinja's escape, attribute lookup and call per value in
these loops were most of the page's rendering. The markup, spacing included, is what the
template's loops wrote; every value from the database (names, stage names, evidence,
areas' names) is escaped here, and numbers are formatted as the template's filters did.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

from interviewloop.debrief.service import AreaStats, Card, CardRating, PanelState, Signal
from interviewloop.scorecards.models import RATING_LABELS

Who = Callable[[int, str], str]  # the interviewer's name, or their letter (names hidden)
Ratings = Mapping[tuple[int, int], CardRating]  # (scorecard, area) -> its rating
AREA_AID = "in this area"
OVERALL_AID = "across areas (too few of their ratings in this area)"
NO_FIGURE = "\N{EN DASH}"  # an area nobody rated


def to_discuss(stats: Sequence[AreaStats]) -> set[int]:
    """The areas flagged for discussion (a disagreement or a coverage gap)."""
    return {s.area.id for s in stats if s.disagreement or s.coverage_gap}


def _html(parts: list[str]) -> Markup:
    return Markup("".join(parts))  # noqa: S704 - each value escaped where it was written


def _rated(ratings: Ratings, card_id: int, area_id: int) -> tuple[int, str] | None:
    """The card's rating in the area and its evidence, if it rated it (not "not
    assessed")."""
    found = ratings.get((card_id, area_id))
    return (found.rating, found.evidence) if found is not None and found.rating else None


def flag_evidence(cards: Sequence[Card], ratings: Ratings, area_id: int, who: Who) -> Markup:
    """Under a flagged area: who rated it, in which stage, what and why."""
    items = [f"<li>{escape(who(card.interviewer_id, card.interviewer_name))} "
             f"({escape(card.stage_name)}): {r[0]} {escape(RATING_LABELS[r[0]])}"
             f"{f': {escape(r[1])}' if r[1] else ''}</li>"
             for card in cards if (r := _rated(ratings, card.id, area_id)) is not None]
    listed = f'<ul class="flag-evidence">{"".join(items)}</ul>' if items else ""
    return _html([f"\n  {listed}\n"])


def _aid(aid: Any) -> str:
    """The reading aid beside a rating (analytics/leniency.py's Adjusted)."""
    where = AREA_AID if aid.area else OVERALL_AID
    return (f'<span class="adjusted" title="Reading aid: the rating with this interviewer\'s '
            f"usual offset {where} removed ({aid.removed:+.2f}). The rating itself "
            f'decides.">adj.&nbsp;{aid.value:.1f}</span>')


def _cell(rated: tuple[int, str] | None, flagged: bool, aid: Any) -> str:
    if rated is not None:
        rating, evidence = rated
        css = f"rating-{rating}{' flagged-cell' if flagged else ''}"
        shown = (f"<details{' open' if flagged else ''}><summary>{rating} "
                 f"{escape(RATING_LABELS[rating])}</summary>"
                 f'<p class="evidence">{escape(evidence)}</p></details>')
    else:
        css, shown = "rating-na", '<span class="muted">not assessed</span>'
    return (f'\n      <td class="{css}">\n        {shown}\n        '
            f"{_aid(aid) if aid else ''}\n      </td>\n    ")


def rating_rows(cards: Sequence[Card], areas: Sequence[Any], ratings: Ratings,
                flagged: Collection[int], adjusted: Mapping[tuple[int, int], Any], who: Who,
                card_url: Callable[[int], str]) -> Markup:
    """The ratings table's body: a row per scorecard, a cell per area (``flagged``: the
    areas to discuss, whose rated cells are marked and open)."""
    if not cards:
        return _html([f'\n    <tr><td colspan="{len(areas) + 2}" class="muted">No submitted '
                      "scorecards yet.</td></tr>\n  "])
    parts = []
    for card in cards:
        parts.append(f'\n    <tr><th scope="row"><a href="{escape(card_url(card.id))}">'
                     f"{escape(who(card.interviewer_id, card.interviewer_name))}</a>"
                     f'<div class="meta">{escape(card.stage_name)}</div></th>\n    ')
        parts.extend(_cell(_rated(ratings, card.id, area.id), area.id in flagged,
                           adjusted.get((card.id, area.id))) for area in areas)
        parts.append(f"\n      <td>{escape(card.recommendation.label)}</td></tr>\n  ")
    return _html(parts)


FOOT = (("Mean", "mean"), ("Lowest", "low"), ("Highest", "high"), ("Spread", "spread"))


def _figure(value: float | None, attr: str) -> str:
    if value is None:
        return NO_FIGURE
    return f"{value:.1f}" if attr == "mean" else str(value)


def stats_rows(stats: Sequence[AreaStats]) -> Markup:
    """The ratings table's foot: each area's mean, lowest, highest and spread."""
    parts = []
    for label, attr in FOOT:
        cells = "".join(
            f'<td class="{"flag" if attr == "spread" and s.disagreement else ""}">'
            f"{_figure(getattr(s, attr), attr)}</td>" for s in stats)
        parts.append(f'\n    <tr><th scope="row">{label}</th>{cells}<td></td></tr>\n    ')
    return _html(parts)


def reading_aid_lines(cards: Sequence[Card], adjusted: Mapping[tuple[int, int], Any],
                      who: Who, areas: Sequence[Any]) -> Markup:
    """The reading aid's note: a line per interviewer with an aid, in the cards' order,
    with their offset (Adjusted.offset) overall and per area."""
    first_aid: dict[int, Any] = {}  # scorecard -> its first aid
    for (card_id, _area), aid in adjusted.items():
        first_aid.setdefault(card_id, aid)
    seen: set[int] = set()
    parts = []
    for card in cards:
        aid = first_aid.get(card.id)
        if aid is None or card.interviewer_id in seen:
            continue
        seen.add(card.interviewer_id)
        offset = aid.offset
        by_area = ""
        if offset.areas:
            named = "; ".join(f"{escape(a.name)} {offset.areas[a.id].removed:+.2f} "
                              f"({offset.areas[a.id].candidates})"
                              for a in areas if a.id in offset.areas)
            rest = (f"; other areas, too few: {offset.shrunk:+.2f}"
                    if len(offset.areas) < len(areas) else "")
            by_area = f" By area: {named}{rest}."
        parts.append(f"\n    <li>{escape(who(card.interviewer_id, card.interviewer_name))}: "
                     f"{offset.observed:+.2f} over {offset.candidates} other "
                     f"candidate{'s' if offset.candidates != 1 else ''}; "
                     f"{offset.shrunk:+.2f} removed.{by_area}</li>")
    return _html(parts)


def summaries(cards: Sequence[Card], titles: Mapping[int, str], who: Who) -> Markup:
    """Each scorecard's summary and its written question notes (``titles``: loop question
    id -> the question's title)."""
    if not cards:
        return _html(['<p class="muted">No submitted scorecards yet.</p>'])
    parts = []
    for card in cards:
        summary = (f"<p>{escape(card.summary)}</p>" if card.summary
                   else '<p class="muted">No summary written.</p>')
        notes = "".join(f"<dt>{escape(titles.get(n.loop_question_id, 'Question'))}</dt>"
                        f"<dd>{escape(n.notes)}</dd>" for n in card.notes if n.notes)
        listed = f'<dl class="answers">{notes}</dl>' if notes else ""
        parts.append(f'\n  <article class="summary" id="summary-{card.id}">\n'
                     f"    <h3>{escape(who(card.interviewer_id, card.interviewer_name))}, "
                     f"{escape(card.stage_name)}: {escape(card.recommendation.label)}</h3>\n"
                     f"    {summary}\n    \n    {listed}\n  </article>\n  ")
    return _html(parts)


def panel_states(states: Sequence[PanelState], who: Who, card_url: Callable[[int], str]
                 ) -> Markup:
    """Where each panelist's scorecard stands, with a link to a submitted one."""
    if not states:
        return _html(['<li class="muted">No interviews yet.</li>'])
    parts = []
    for st in states:
        link = (f' <a href="{escape(card_url(st.scorecard_id))}">open</a>'
                if st.state == "submitted" and st.scorecard_id else "")
        parts.append(f"<li>{escape(who(st.interviewer.id, st.interviewer.name))}, "
                     f'{escape(st.stage_name)}: <span class="tag state-{escape(st.state)}">'
                     f"{escape(st.state)}</span>{link}</li>")
    return _html(parts)


def question_signals(found: Sequence[Signal], who: Who) -> Markup:
    """The scorecards' signals on one pre-offer question."""
    if not found:
        return _html(['<span class="muted">no signals</span>'])
    return _html([
        f'<div class="signal signal-{escape(sig.value)}">{escape(who(sig.interviewer_id, sig.name))}'
        f': {escape(sig.value.replace("_", " "))}'
        f"{f': {escape(sig.evidence)}' if sig.evidence else ''}</div>" for sig in found])


_HIDDEN_HEAT = '\n      <td class="muted">hidden</td>\n      \n    '
_NO_HEAT = '\n      <td class="rating-na"><span class="muted">none</span></td>\n      \n    '


def heat_cells(row: Any, areas: Sequence[Any], labels: Mapping[int, str]) -> Markup:
    """A dashboard row's heatmap cells, an area each (the dashboard's ``heat_cells``): its
    mean and count, coloured by ``row.heat``; "hidden" or "none" as the row has them. A
    page has a cell per candidate and area, and Jinja's call and lookups per cell were a
    tenth of the page's time."""
    if row.hidden:
        return Markup(_HIDDEN_HEAT * len(areas))  # noqa: S704 - constant markup
    parts = []
    for area in areas:
        heat = row.heat(area.id)
        if heat is None:
            parts.append(_NO_HEAT)
        else:
            mean, count = row.areas[area.id]
            parts.append(f'\n      <td class="rating-{int(heat)}">{mean:.1f} ({int(count)})'
                         f'<span class="visually-hidden">, {escape(labels[heat])}</span></td>'
                         "\n    ")
    return _html(parts)
