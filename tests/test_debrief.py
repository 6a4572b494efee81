"""The candidate's debrief (the matrix, per-area statistics and flags, the tally, the
scorecards' states and pre-offer signals), the requisition dashboard and the exports.

Every number asserted here is worked out by hand from the ratings in ``RATINGS``."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from markupsafe import escape

from interviewloop.audit.service import Actor
from interviewloop.bank.service import areas as bank_areas
from interviewloop.debrief import service as debrief
from interviewloop.loops import service as loops
from interviewloop.scorecards import service as scorecards
from interviewloop.scorecards.models import Recommendation
from tests.factories import (
    add_to_team,
    make_candidate_with_loop,
    make_interview,
    make_requisition,
    next_monday,
    past_interview,
)

# Areas in the bank's order: application engineering, ML systems, infrastructure and cloud,
# MLOps discipline, technical leadership. None: not assessed.
RATINGS = {
    "alice": ((4, 3, 2, None, 3), "strong_hire"),
    "bob": ((3, 1, 3, None, None), "hire"),
    "carol": ((2, None, 3, 4, 2), "no_hire"),
}
# area: (raters, mean, lowest, highest, spread, disagreement, coverage gap)
EXPECTED = {
    "Application engineering": (3, 3.0, 2, 4, 2, True, False),  # spread exactly 2
    "ML systems": (2, 2.0, 1, 3, 2, True, False),  # exactly 2 raters: no gap
    "Infrastructure and cloud": (3, 8 / 3, 2, 3, 1, False, False),  # spread exactly 1
    "MLOps discipline": (1, 4.0, 4, 4, 0, False, True),  # a single rater
    "Technical leadership": (2, 2.5, 2, 3, 1, False, False),
}
DRAFT_MARK = "DRAFTMARK-9q"


def evidence(user, area) -> str:
    return f"{user.name.split()[0]} on {area.name}: a concrete example."


def card(session, user, requisition, interview, levels, recommendation="hire", *,
         signals=None, submit=True, text=evidence):
    """``user``'s scorecard through the service, each area rated ``levels[i]``."""
    area_list = bank_areas(session)
    data = scorecards.ScorecardInput(
        ratings={a.id: (level, text(user, a) if level else "")
                 for a, level in zip(area_list, levels, strict=True)},
        signals=signals or {}, recommendation=recommendation, confirm_contradiction=True)
    current = scorecards.own_scorecard(session, interview, user.id)
    return scorecards.save(session, Actor(user), requisition, interview, current, data,
                           submit=submit, seen_version=current.version if current else 0,
                           areas={a.id: a for a in area_list},
                           stage=scorecards.stage_for(session, interview))


@pytest.fixture
def w(db_session, bank, make_user, login):
    people = {key: make_user(*roles, name=name) for key, roles, name in [
        ("manager", ("hiring_manager",), "Hana Manager"), ("recruiter", ("recruiter",), "Rui Recruiter"),
        ("admin", ("admin",), "Ada Admin"), ("alice", (), "Alice Archer"), ("bob", (), "Bob Baker"),
        ("carol", (), "Carol Cole"), ("dan", (), "Dan Drafter"), ("eve", (), "Eve Late"),
        ("finn", (), "Finn Future"), ("bea", (), "Bea Bystander")]}
    w = SimpleNamespace(session=db_session, login=login, **people)
    w.req = make_requisition(db_session, w.manager, w.recruiter)
    add_to_team(db_session, w.req, w.manager, w.alice, w.bob, w.carol, w.dan, w.eve, w.finn, w.bea)
    w.cand, w.loop = make_candidate_with_loop(db_session, w.req, w.recruiter, 1)
    s = w.loop.stages
    held = [past_interview(db_session, w.req, w.recruiter, w.cand, s[0], [w.alice, w.bob],
                           ended_hours_ago=6),
            past_interview(db_session, w.req, w.recruiter, w.cand, s[1], [w.carol],
                           ended_hours_ago=3)]
    w.cards = {}
    for who, interview in (("alice", held[0]), ("bob", held[0]), ("carol", held[1])):
        levels, recommendation = RATINGS[who]
        w.cards[who] = card(db_session, getattr(w, who), w.req, interview, levels,
                            recommendation, signals=SIGNALS.get(who))
    # Dan's draft rates everything 1, recommends strong no hire: it must count nowhere.
    drafted = past_interview(db_session, w.req, w.recruiter, w.cand, s[2], [w.dan])
    w.draft = card(db_session, w.dan, w.req, drafted, (1, 1, 1, 1, 1), "strong_no_hire",
                   submit=False, signals={"reduces_risk": ("no", DRAFT_MARK)},
                   text=lambda _u, a: f"{DRAFT_MARK} {a.name}")
    past_interview(db_session, w.req, w.recruiter, w.cand, s[3], [w.eve], ended_hours_ago=100)
    make_interview(db_session, w.req, w.recruiter, w.cand, s[4], [w.finn], next_monday())
    db_session.flush()
    w.url = f"/requisitions/{w.req.id}/candidates/{w.cand.id}/debrief"
    return w


SIGNALS = {
    "alice": {"owned_system": ("yes", "Ran the ranking service's pager."),
              "failure_handling": ("no", "No fallback when the model times out.")},
    "bob": {"owned_system": ("not_observed", "")},
    "carol": {"reduces_risk": ("yes", "Argued for a canary before the feature.")},
}


class _Table(HTMLParser):
    """The rows of <table id=...>, each cell with its class, text, summary, details, links."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id, self.depth, self.rows, self.cell, self.part = table_id, 0, [], None, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and (self.depth or attrs.get("id") == self.table_id):
            self.depth += 1
        elif self.depth == 1 and tag == "tr":
            self.rows.append([])
        elif self.depth == 1 and tag in ("td", "th"):
            self.cell = SimpleNamespace(cls=attrs.get("class") or "", text="", summary="",
                                        details="", links=[])
            self.rows[-1].append(self.cell)
        elif self.cell is not None and tag in ("summary", "details"):
            self.part.append(tag)
        elif self.cell is not None and tag == "a":
            self.cell.links.append(attrs.get("href"))

    def handle_endtag(self, tag):
        if tag == "table" and self.depth:
            self.depth -= 1
        elif tag in ("td", "th") and self.depth == 1:
            self.cell = None
        elif tag in ("summary", "details") and self.part:
            self.part.pop()

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.text = " ".join((self.cell.text + " " + data).split())
            if self.part and self.part[-1] == "summary":
                self.cell.summary += data.strip()
            elif self.part:
                self.cell.details += data.strip()


def table(page: str, table_id: str) -> list[list[SimpleNamespace]]:
    parser = _Table(table_id)
    parser.feed(page)
    assert parser.rows, f"no table {table_id!r}"
    return parser.rows


def part(page: str, start: str, end: str) -> str:
    assert start in page, start
    return page.split(start, 1)[1].split(end, 1)[0]


# --- the numbers --------------------------------------------------------------------------------

def test_area_statistics_and_flags_at_their_thresholds(w):
    stats = debrief.area_stats(w.session, w.cand, bank_areas(w.session))
    got = {s.area.name: (s.count, s.mean, s.low, s.high, s.spread, s.disagreement,
                         s.coverage_gap) for s in stats}
    assert got == {name: (n, pytest.approx(mean), *rest)
                   for name, (n, mean, *rest) in EXPECTED.items()}
    cards = debrief.cards_and_signals(w.session, w.cand)[0]
    # The page's statistics, of the cards it has read, are the gate's (area_stats).
    assert debrief.stats_of(((r.area_id, r.rating) for c in cards for r in c.ratings),
                            bank_areas(w.session)) == stats
    assert debrief.tally_of(c.recommendation for c in cards) == {
        Recommendation.STRONG_NO_HIRE: 0, Recommendation.NO_HIRE: 1, Recommendation.HIRE: 1,
        Recommendation.STRONG_HIRE: 1}


def test_the_matrix_colours_each_rating_shows_its_value_and_evidence_a_click_away(w):
    page = w.login(w.manager).get(w.url).get_data(as_text=True)
    head, *body = table(page, "matrix")
    areas = bank_areas(w.session)
    assert [c.text for c in head] == ["Interviewer", *(a.name for a in areas), "Recommendation"]
    cards = body[:3]
    assert [row[0].links for row in cards] == [[f"/scorecards/{w.cards[k].id}"]
                                               for k in ("alice", "bob", "carol")]
    labels = {1: "Strong no", 2: "No", 3: "Yes", 4: "Strong yes"}
    for row, who in zip(cards, ("alice", "bob", "carol"), strict=True):
        levels, recommendation = RATINGS[who]
        assert row[0].text.startswith(getattr(w, who).name)
        for cell, area, level in zip(row[1:6], areas, levels, strict=True):
            if level is None:
                assert (cell.cls, cell.text) == ("rating-na", "not assessed")
            else:
                # A flagged area's evidence is open in the cell (disagreement, coverage gap).
                flagged = area.name in ("Application engineering", "ML systems",
                                        "MLOps discipline")
                assert cell.cls == f"rating-{level}" + (" flagged-cell" if flagged else "")
                assert cell.summary == f"{level} {labels[level]}"  # the value, in text too
                assert cell.details == evidence(getattr(w, who), area)  # behind the click
        assert row[6].text == Recommendation(recommendation).label
    assert all(f".rating-{n} {{ background:" in stylesheet(w.login(w.manager))
               for n in range(1, 5))  # each value has its colour
    footer = {row[0].text: [c.text for c in row[1:6]] for row in body[3:]}
    assert footer == {"Mean": ["3.0", "2.0", "2.7", "4.0", "2.5"],
                      "Lowest": ["2", "1", "2", "4", "2"], "Highest": ["4", "3", "3", "4", "3"],
                      "Spread": ["2", "2", "1", "0", "1"]}
    spread = body[-1][1:6]
    assert ["flag" in c.cls for c in spread] == [True, True, False, False, False]


def test_disagreements_coverage_gaps_and_the_loops_gaps_are_flagged(w):
    page = w.login(w.manager).get(w.url).get_data(as_text=True)
    flags = part(page, 'id="flags"', "</section>")
    assert re.findall(r'<li class="disagreement"[^>]*>Disagreement on ([^:]+):', flags) == [
        "Application engineering", "ML systems"]
    assert "ratings from 2 (No) to 4 (Strong yes)" in flags
    assert re.findall(r'<li class="coverage-gap"[^>]*>Coverage gap: ([^<]+?)\s*(?:<ul|</li>)', flags) == [
        "MLOps discipline rated by 1 interviewer."]
    assert w.loop.coverage_gaps == [] and 'class="loop-gap"' not in flags
    # Another candidate whose loop lost stages: its coverage check's gaps are carried over.
    other, loop = make_candidate_with_loop(w.session, w.req, w.recruiter, 2, seed=4)
    for stage in list(loop.stages[1:]):
        loops.remove_stage(w.session, Actor(w.recruiter), w.req, loop, stage.id)
    w.session.flush()
    assert loop.coverage_gaps
    page = w.login(w.manager).get(f"/requisitions/{w.req.id}/candidates/{other.id}/debrief")
    flags = part(page.get_data(as_text=True), 'id="flags"', "</section>")
    assert re.findall(r'<li class="loop-gap">Loop: (.+?)</li>', flags) == [
        str(escape(gap)) for gap in loop.coverage_gaps]
    # No scorecards yet: every area is a coverage gap without numbers, none a disagreement.
    assert flags.count('class="coverage-gap"') == 5 and "disagreement" not in flags
    assert {(s.count, s.mean, s.low, s.high, s.spread, s.coverage_gap, s.disagreement)
            for s in debrief.area_stats(w.session, other, bank_areas(w.session))} == {
        (0, None, None, None, None, True, False)}


def test_tally_states_links_and_signals_never_include_a_draft(w):
    page = w.login(w.manager).get(w.url).get_data(as_text=True)
    assert DRAFT_MARK not in page and f"/scorecards/{w.draft.id}" not in page
    tally = part(page, 'id="tally"', "</section>")
    assert re.findall(r"<li>([^:]+): <strong>(\d+)</strong>", tally) == [
        ("Strong no hire", "0"), ("No hire", "1"), ("Hire", "1"), ("Strong hire", "1")]
    states = part(page, 'id="states"', "</section>")
    found = re.findall(r'<li>([^,]+), [^:]+: <span class="tag state-(\w+)">\2</span>'
                       r'(?: <a href="([^"]+)">open</a>)?', states)
    assert sorted(found) == sorted([
        ("Alice Archer", "submitted", f"/scorecards/{w.cards['alice'].id}"),
        ("Bob Baker", "submitted", f"/scorecards/{w.cards['bob'].id}"),
        ("Carol Cole", "submitted", f"/scorecards/{w.cards['carol'].id}"),
        ("Dan Drafter", "draft", ""), ("Eve Late", "overdue", ""),
        ("Finn Future", "upcoming", "")])
    assert "3 submitted scorecards" in page
    signals = {q: re.findall(r'<div class="signal signal-(\w+)">(.+?)</div>',
                             part(page, f'id="q-{q}"', "</fieldset>"))
               for q in ("owned_system", "failure_handling", "reduces_risk")}
    assert signals == {
        "owned_system": [("yes", str(escape("Alice Archer: yes: Ran the ranking service's "
                                            "pager."))),
                         ("not_observed", "Bob Baker: not observed")],
        "failure_handling": [("no", "Alice Archer: no: No fallback when the model times out.")],
        "reduces_risk": [("yes", "Carol Cole: yes: Argued for a canary before the feature.")]}


VIEWERS = [("manager", 200), ("recruiter", 200), ("admin", 200), ("alice", 200),
           ("dan", 404), ("eve", 404), ("bea", 404)]


@pytest.mark.parametrize(("who", "status"), VIEWERS)
def test_who_sees_the_debrief_and_its_export(w, who, status):
    """The hiring team's managers and admins; interviewers once their own scorecard is in
    (Alice); not Dan (a draft) nor Eve (nothing yet): independence; not a bystander."""
    client = w.login(getattr(w, who))
    for url in (w.url, w.url.replace("/debrief", "/debrief.csv")):
        response = client.get(url)
        assert response.status_code == status, url
        if status == 404:
            body = response.get_data(as_text=True)
            assert "Alice on" not in body and "Carol on" not in body


def test_a_candidate_is_only_reached_through_their_own_requisition(w, make_user):
    other_req = make_requisition(w.session, w.manager, w.recruiter, title="Platform Engineer")
    w.session.flush()
    client = w.login(w.manager)
    assert client.get(w.url.replace(f"/{w.req.id}/", f"/{other_req.id}/")).status_code == 404
    assert client.get(w.url.replace(f"/{w.cand.id}/", "/999999/")).status_code == 404
    assert w.login(make_user("admin")).get(w.url).status_code == 200


# --- the export and printing --------------------------------------------------------------------

def test_the_csv_has_a_row_per_scorecard_and_area_then_the_statistics(w):
    response = w.login(w.manager).get(w.url.replace("/debrief", "/debrief.csv"))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="debrief-{w.req.id}-{w.cand.id}.csv"')
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    blank = rows.index([])
    header, cards, rest = rows[0], rows[1:blank], rows[blank + 1:]
    stats_header, *stats = rest[:rest.index([])]  # then the summaries, signals ...
    assert header == ["candidate", "interviewer", "stage", "area", "rating", "rating_label",
                      "evidence", "recommendation"]
    areas, s = bank_areas(w.session), w.loop.stages
    labels = {1: "Strong no", 2: "No", 3: "Yes", 4: "Strong yes", None: "not assessed"}
    expected = [[w.cand.name, getattr(w, who).name, stage.name, area.name,
                 str(level or ""), labels[level], evidence(getattr(w, who), area) if level else "",
                 RATINGS[who][1]]
                for who, stage in (("alice", s[0]), ("bob", s[0]), ("carol", s[1]))
                for area, level in zip(areas, RATINGS[who][0], strict=True)]
    assert cards == expected  # 3 submitted scorecards x 5 areas; Dan's draft nowhere
    assert stats_header == ["area", "raters", "mean", "lowest", "highest", "spread", "flag"]
    assert stats == [[name, str(n), f"{mean:.2f}", str(low), str(high), str(spread),
                      "disagreement" if dis else "coverage gap" if gap else ""]
                     for name, (n, mean, low, high, spread, dis, gap) in EXPECTED.items()]
    assert DRAFT_MARK not in response.get_data(as_text=True)


def stylesheet(client) -> str:
    with client.get("/static/app.css") as response:  # a file response: close it
        assert response.status_code == 200
        return response.get_data(as_text=True)


def print_blocks(css: str) -> str:
    """The bodies of every @media print block (braces matched)."""
    blocks = []
    for match in re.finditer(r"@media\s+print\s*{", css):
        depth, i = 1, match.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(css[i], 0)
            i += 1
        blocks.append(css[match.end():i - 1])
    return "\n".join(blocks)


def test_the_print_stylesheet_hides_forms_and_navigation(w):
    client = w.login(w.manager)
    page = client.get(w.url).get_data(as_text=True)
    assert 'href="/static/app.css"' in page
    css = stylesheet(client)
    rules = dict(re.findall(r"([^{}]+){([^{}]*)}", print_blocks(css)))
    hidden = {selector.strip() for selectors, body in rules.items()
              if re.search(r"display:\s*none", body) for selector in selectors.split(",")}
    assert {"form", ".no-print", ".topbar"} <= hidden
    # The page's own controls carry the class the print rules hide.
    assert re.search(r'class="actions no-print">\s*<a class="button secondary" '
                     r'href="[^"]+/debrief.csv">Download CSV', page)
    assert "<nav" in part(page, '<header class="topbar">', "</header>")


# --- the requisition dashboard ------------------------------------------------------------------

@pytest.fixture
def d(db_session, bank, make_user, login):
    from interviewloop.requisitions import candidates

    def person(name, *roles):
        return make_user(*(roles or ("interviewer",)), name=name)

    manager, recruiter = person("Hana Manager", "hiring_manager"), person("Rui Recruiter", "recruiter")
    i = [person(f"Interviewer {n}") for n in range(6)]
    req = make_requisition(db_session, manager, recruiter)
    add_to_team(db_session, req, manager, *i)
    made, hours = {}, iter(range(2, 100, 3))
    for n, name in enumerate(["Ana Offer", "Ben Pending", "Cleo Fresh", "Dov Rejected",
                              "Eli Withdrawn", "Fay Hold"]):
        cand = candidates.add_candidate(db_session, Actor(recruiter), req,
                                        candidates.CandidateInput(name, f"c{n}@x.net", ""))
        loop = None if name == "Cleo Fresh" else loops.build_loop(
            db_session, Actor(recruiter), req, cand, seed=n)
        made[name] = SimpleNamespace(cand=cand, stages=loop.stages if loop else [])
        if name == "Dov Rejected":  # a shorter loop: progress is a share, not a count
            for stage in list(loop.stages[2:]):
                loops.remove_stage(db_session, Actor(recruiter), req, loop, stage.id)

    def held(name, stage, panel, levels, recommendation="hire"):
        c = made[name]
        interview = past_interview(db_session, req, recruiter, c.cand, c.stages[stage], panel,
                                   ended_hours_ago=next(hours))
        focus = {a.id for a in scorecards.stage_for(db_session, interview).focus_areas}
        for user, level in zip(panel, levels, strict=False):  # the rest owe theirs
            card(db_session, user, req, interview, [level if a.id in focus else None
                                                    for a in bank_areas(db_session)],
                 recommendation)

    def decide(name, answer, *kinds):
        c = made[name].cand
        debrief.answer_pre_offer(db_session, Actor(manager), req, c,
                                 dict.fromkeys(debrief.ANSWERS, (answer, "Seen in them.")))
        for kind in kinds:
            debrief.record_decision(db_session, Actor(manager), req, c, kind, "Discussed.",
                                    "Enough.")

    held("Ana Offer", 0, i[0:2], [4, 4])
    decide("Ana Offer", "strong", "offer")
    held("Ben Pending", 0, i[2:4], [2])  # the second panelist owes a scorecard
    make_interview(db_session, req, recruiter, made["Ben Pending"].cand,
                   made["Ben Pending"].stages[1], [i[4]], next_monday())
    held("Dov Rejected", 0, [i[5], i[0]], [1, 2], "no_hire")
    decide("Dov Rejected", "weak", "hold", "reject")  # the latest decision shows
    candidates.withdraw_candidate(db_session, Actor(recruiter), req, made["Eli Withdrawn"].cand)
    held("Fay Hold", 0, i[1:3], [3, 3])
    held("Fay Hold", 1, i[3:4], [3])
    decide("Fay Hold", "strong", "hold")
    db_session.flush()
    return SimpleNamespace(session=db_session, login=login, manager=manager,
                           recruiter=recruiter, interviewer=i[0], req=req,
                           url=f"/requisitions/{req.id}/dashboard")


NONE = "\u2013"  # the dash an empty cell shows
DASHBOARD = {  # candidate, status, stages done, owed, mean (ratings), pre-offer, decision
    "Ana Offer": ["Offer", "1 / 5", "0", "4.0 (6)", "passed", "offer"],
    # Ben's second interview is still to come: it owes nothing yet.
    "Ben Pending": ["Active", "1 / 5", "1 who owes them", "2.0 (3)", "not answered", NONE],
    "Cleo Fresh": ["Active", "0 / 0", "0", NONE, "not answered", NONE],
    "Dov Rejected": ["Rejected", "1 / 2", "0", "1.5 (6)", "keep looking", "reject"],
    "Eli Withdrawn": ["Withdrawn", "0 / 5", "0", NONE, "not answered", NONE],
    "Fay Hold": ["Active", "2 / 5", "0", "3.0 (8)", "passed", "hold"],
}
ORDERS = {
    "name": "Ana Ben Cleo Dov Eli Fay",
    "status": "Ben Cleo Fay Ana Dov Eli",  # active, offer, rejected, withdrawn
    "progress": "Dov Fay Ana Ben Cleo Eli",  # largest share of stages done first
    "outstanding": "Ben Ana Cleo Dov Eli Fay",  # most owed first
    "mean": "Ana Fay Ben Dov Cleo Eli",  # highest first
    "pre_offer": "Dov Ben Cleo Eli Ana Fay",  # keep looking, not answered, passed
    "decision": "Ben Cleo Eli Fay Ana Dov",  # none, hold, offer, reject
}


def dashboard_rows(client, url) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200, url
    _head, *rows = table(response.get_data(as_text=True), "dashboard")
    return [[c.text for c in row] for row in rows]


def test_the_dashboard_shows_every_candidate_with_progress_scorecards_ratings_and_decision(d):
    rows = dashboard_rows(d.login(d.manager), d.url)
    assert {row[0]: row[1:] for row in rows} == DASHBOARD
    assert len(rows) == 6


@pytest.mark.parametrize("sort", ORDERS)
def test_the_dashboard_sorts_by_every_key(d, sort):
    client = d.login(d.recruiter)
    rows = dashboard_rows(client, f"{d.url}?sort={sort}")
    assert [row[0].split()[0] for row in rows] == ORDERS[sort].split()
    page = client.get(f"{d.url}?sort={sort}").get_data(as_text=True)
    assert re.findall(r'<th aria-sort="ascending"><a href="[^"]*sort=(\w+)', page) == [sort]


@pytest.mark.parametrize(("status", "names"), [
    ("active", "Ben Cleo Fay"), ("offer", "Ana"), ("rejected", "Dov"), ("withdrawn", "Eli"),
    ("hired", ""), ("", "Ana Ben Cleo Dov Eli Fay")])
def test_the_dashboard_filters_by_status(d, status, names):
    rows = dashboard_rows(d.login(d.manager), f"{d.url}?status={status}&sort=mean")
    if not names:
        assert rows == [["No candidates."]]
        return
    expected = [n for n in ORDERS["mean"].split() if n in names.split()]
    assert [row[0].split()[0] for row in rows] == expected


@pytest.mark.parametrize("query", ["sort=bogus", "sort=", "status=bogus", "status=Active",
                                   "sort=name&status=archived"])
def test_the_dashboard_refuses_an_unknown_sort_or_status(d, query):
    assert d.login(d.manager).get(f"{d.url}?{query}").status_code == 400


def test_the_dashboard_is_for_the_requisitions_managers(d, make_user):
    assert d.login(d.interviewer).get(d.url).status_code == 403
    assert d.login(make_user("hiring_manager")).get(d.url).status_code == 404
    assert d.login(make_user("admin")).get(d.url).status_code == 200
