"""Rules: scorecards, the pre-offer check, decisions, and people looking at pages (every
page any rule fetches is checked for scorecard text its viewer must not see)."""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.stateful import rule

from interviewloop.debrief.models import ANSWERS
from interviewloop.scorecards.models import Recommendation
from tests.fuzz.base import step
from tests.fuzz.values import BAD_ID, BAD_TEXT, maybe, text_with

RATINGS = st.sampled_from(["1", "2", "3", "4", "3", "4"])
BAD_RATINGS = st.sampled_from(["", "na", "0", "5", "abc", "-1", "3.0", str(2**40)])


class ScoringRules:
    def draw_interview(self, data):
        return self.draw_row(data, "SELECT id, candidate_id, stage_id FROM interviews ORDER BY id",
                             "interview")

    def scorecard_form(self, data, person, interview) -> dict:
        interview_id, candidate, stage = interview
        marker = self.new_marker(person.id, candidate)
        focus = {r[0] for r in self.rows(
            "SELECT area_id FROM loop_stage_areas WHERE stage_id = :s", s=stage)}
        form = {}
        for (area,) in self.rows("SELECT id FROM capability_areas ORDER BY id"):
            if area in focus or data.draw(st.integers(0, 3), label="rate other") == 0:
                form[f"rating_{area}"] = data.draw(maybe(RATINGS, BAD_RATINGS), label="rating")
                form[f"evidence_{area}"] = data.draw(text_with(marker), label="evidence")
        for (question,) in self.rows("SELECT id FROM loop_questions WHERE stage_id = :s", s=stage):
            form[f"note_{question}"] = data.draw(text_with(marker), label="note")
        for name in ANSWERS:
            form[f"signal_{name}"] = data.draw(maybe(
                st.sampled_from(["", "yes", "no", "not_observed"]),
                st.sampled_from(["maybe", "YES"])), label="signal")
            form[f"signal_evidence_{name}"] = data.draw(text_with(marker), label="signal text")
        form["recommendation"] = data.draw(maybe(
            st.sampled_from([r.value for r in Recommendation]),
            st.sampled_from(["", "bogus", "HIRE"])), label="recommendation")
        form["summary"] = data.draw(text_with(marker), label="summary")
        version = self.one("""SELECT version FROM scorecards WHERE interview_id = :i
                              AND interviewer_id = :u""", i=interview_id, u=person.id) or 0
        form["version"] = data.draw(maybe(st.just(str(version)), st.sampled_from(
            [str(version - 1), str(version + 1), "abc", "", "-1", str(2**40)])), label="version")
        form["action"] = data.draw(st.sampled_from(["submit", "submit", "save", "bogus"]),
                                   label="action")
        if data.draw(st.booleans(), label="confirm"):
            form["confirm_contradiction"] = "yes"
        return form

    def write_scorecard(self, data):
        interview = self.draw_interview(data)
        panel = [name for name, uid in self.world.users.items() if self.one(
            "SELECT 1 FROM interview_panelists WHERE interview_id = :i AND user_id = :u",
            i=interview[0], u=uid)]
        # Mostly a panelist; sometimes someone else trying.
        person = self.draw_person(data, *(panel * 4), "i4", "manager2", "recruiter")
        # The form's own POST, or the draft saved as one types (JSON; never a submit).
        endpoint = data.draw(st.sampled_from(["scorecard", "scorecard", "scorecard/draft"]),
                             label="endpoint")
        self.send(person, "POST", f"/interviews/{interview[0]}/{endpoint}",
                  self.scorecard_form(data, person, interview))

    @rule(data=st.data())
    @step
    def save_scorecard(self, data):
        self.write_scorecard(data)

    @rule(data=st.data())
    @step
    def save_another_scorecard(self, data):  # scorecards matter most: twice the weight
        self.write_scorecard(data)

    def draw_ready_candidate(self, data) -> int:
        """A candidate, those with every scorecard in first (the simplest draws come first,
        and there the check and the decision can go through)."""
        outstanding = {c: self.one(
            """SELECT COUNT(*) FROM interview_panelists p JOIN interviews i
               ON i.id = p.interview_id AND i.status = 'scheduled' AND i.candidate_id = :c
               LEFT JOIN scorecards s ON s.interview_id = i.id AND s.interviewer_id = p.user_id
               AND s.status = 'submitted' WHERE s.id IS NULL""", c=c)
            for c in self.world.candidates}
        ordered = sorted(self.world.candidates, key=lambda c: (outstanding[c], c))
        return data.draw(st.sampled_from(ordered), label="candidate")

    def debrief_url(self, candidate: int) -> str:
        return f"/requisitions/{self.requisition_of(candidate)}/candidates/{candidate}"

    @rule(data=st.data())
    @step
    def answer_pre_offer(self, data):
        candidate = self.draw_ready_candidate(data)
        person = self.draw_person_for(data, self.requisition_of(candidate), recruiter=False)
        form = {}
        for name in ANSWERS:
            form[name] = data.draw(maybe(st.sampled_from(["strong", "strong", "weak"]),
                                         st.sampled_from(["", "STRONG", "bogus"])), label=name)
            form[f"{name}_evidence"] = data.draw(maybe(
                st.just(f"Evidence on {name} ✓"), st.sampled_from(["", "   ", "x" * 4001])),
                label="evidence")
        self.send(person, "POST", f"{self.debrief_url(candidate)}/pre-offer", form)

    @rule(data=st.data())
    @step
    def decide(self, data):
        candidate = self.draw_ready_candidate(data)
        person = self.draw_person_for(data, self.requisition_of(candidate), recruiter=False)
        self.send(person, "POST", f"{self.debrief_url(candidate)}/decision", {
            "kind": data.draw(maybe(st.sampled_from(["offer", "offer", "reject", "hold", "hold"]),
                                    st.sampled_from(["", "OFFER", "hire"])), label="kind"),
            "rationale": data.draw(maybe(st.just("Consistent evidence from the panel."),
                                         st.sampled_from(["", " ", "x" * 4001])), label="why"),
            # An offer with unheld stages or a coverage gap needs it (ignored otherwise).
            "waiver": data.draw(maybe(st.just("The panel's evidence is enough."),
                                      st.sampled_from(["", " ", "x" * 4001])), label="waiver"),
        })

    @rule(data=st.data())
    @step
    def look(self, data):
        """Someone opens a page that may show scorecards (pending panelists most often)."""
        pending = [name for name, uid in self.world.users.items() if self.one(
            """SELECT 1 FROM interview_panelists p JOIN interviews i ON i.id = p.interview_id
               WHERE p.user_id = :u AND i.status = 'scheduled' AND NOT EXISTS (
                   SELECT 1 FROM scorecards s WHERE s.interview_id = i.id
                   AND s.interviewer_id = :u AND s.status = 'submitted')""", u=uid)]
        person = self.draw_person(data, *(pending * 3), *self.people)
        candidate = data.draw(st.sampled_from(self.world.candidates), label="candidate")
        base = self.debrief_url(candidate)
        requisition = self.requisition_of(candidate)
        interview = self.draw_interview(data)
        # (Ids drawn from a list, never a range: PostgreSQL's sequences outlive the rollback.)
        card_id = data.draw(st.sampled_from(
            [r[0] for r in self.rows("SELECT id FROM scorecards ORDER BY id")]), label="scorecard")
        url = data.draw(st.sampled_from([
            "/", base, f"{base}/debrief", f"{base}/debrief.csv", f"{base}/scorecards",
            f"/requisitions/{requisition}/dashboard", f"/requisitions/{requisition}/board",
            f"/requisitions/{requisition}", f"/interviews/{interview[0]}",
            f"/interviews/{interview[0]}/scorecard", f"/interviews/{interview[0]}/kit",
            f"/interviews/{interview[0]}/invite.ics", f"/scorecards/{card_id}",
            "/admin/audit"]), label="page")
        self.send(person, "GET", url)

    @rule(data=st.data())
    @step
    def garbage(self, data):
        """A forged or expired form, or odd query strings, anywhere."""
        person = self.draw_person(data)
        bad = data.draw(st.one_of(BAD_ID, BAD_TEXT.filter(lambda t: "/" not in t and "?" not in t
                                                          and "#" not in t)), label="bad")
        candidate = data.draw(st.sampled_from(self.world.candidates), label="candidate")
        base = self.debrief_url(candidate)
        if data.draw(st.booleans(), label="post"):
            url = data.draw(st.sampled_from([
                f"{base}/decision", f"{base}/pre-offer", f"{base}/loop", f"{base}/withdraw",
                "/interviews/1/cancel", "/interviews/1/scorecard", "/bank/questions/1/retire",
                f"/admin/users/{self.world.users['i1']}/deactivate", "/account"]), label="url")
            csrf = data.draw(st.sampled_from(["bogus", "missing"]), label="csrf")
            response = self.send(person, "POST", url, {"kind": "offer", "rationale": bad},
                                 csrf=csrf)
            assert response.status_code == 400, (url, response.status_code)
            return
        from urllib.parse import quote

        arg = data.draw(st.sampled_from(["sort", "status", "state", "page", "action", "q",
                                         "category", "level", "area", "benchmark", "_method",
                                         "_anchor", "_external", "_scheme"]), label="arg")
        path = data.draw(st.sampled_from([
            f"/requisitions/{self.requisition_of(candidate)}/dashboard",
            f"/requisitions/{self.requisition_of(candidate)}/board", "/bank/", "/admin/audit",
            f"/interviews/{bad}", f"/scorecards/{bad}"]), label="path")
        self.send(person, "GET", f"{quote(path, safe='/')}?{arg}={quote(bad)}")
