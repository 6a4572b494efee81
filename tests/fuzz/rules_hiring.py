"""Rules: loops, the hiring team, candidates, and scheduling (book, move, cancel)."""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.stateful import rule

from interviewloop.enums import Category
from interviewloop.timezones import to_local
from tests.fuzz.base import step
from tests.fuzz.values import BAD_DATE, BAD_ID, BAD_TEXT, future_slot, maybe, slot_time

STAGE_SQL = """SELECT s.id FROM loop_stages s JOIN loops l ON l.id = s.loop_id
               WHERE l.candidate_id = :c ORDER BY s.id"""


class HiringRules:
    def draw_candidate(self, data) -> int:
        return data.draw(st.sampled_from(self.world.candidates), label="candidate")

    def candidate_url(self, candidate_id: int) -> str:
        return f"/requisitions/{self.requisition_of(candidate_id)}/candidates/{candidate_id}"

    def booking_form(self, data, person, candidate_id: int) -> dict:
        zone = self.one("SELECT time_zone FROM users WHERE id = :u", u=person.id)
        local = to_local(slot_time(data.draw(future_slot(), label="slot")), zone)
        requisition = self.requisition_of(candidate_id)
        team = [r[0] for r in self.rows(
            """SELECT user_id FROM requisition_members WHERE requisition_id = :r
               UNION SELECT hiring_manager_id FROM requisitions WHERE id = :r""", r=requisition)]
        everyone = sorted(self.world.users.values())
        pool = team if data.draw(st.integers(0, 5), label="team only?") else everyone
        panel = data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True),
                          label="panel")
        return {
            "interviewers": data.draw(maybe(st.just([str(i) for i in panel]),
                                            st.sampled_from([[], ["abc"], ["-1"], [str(2**40)]])),
                                      label="interviewers"),
            "starts_at": data.draw(maybe(st.just(local.strftime("%Y-%m-%dT%H:%M")), BAD_DATE),
                                   label="starts_at"),
            "minutes": data.draw(maybe(st.sampled_from(["30", "45", "60", "90"]),
                                       st.sampled_from(["0", "-30", "4", "481", "abc", "1e3"])),
                                 label="minutes"),
            "location": data.draw(maybe(st.just("Room 4 / video link"), BAD_TEXT), label="where"),
            "reason": data.draw(maybe(st.just("Moved for the panel."), BAD_TEXT), label="reason"),
            **({"confirm_over_cap": "y"} if data.draw(st.booleans(), label="confirm") else {}),
        }

    @rule(data=st.data())
    @step
    def schedule(self, data):
        self.book(data)

    def book(self, data):
        candidate = self.draw_candidate(data)
        person = self.draw_person_for(data, self.requisition_of(candidate))
        stages = [r[0] for r in self.rows(STAGE_SQL, c=candidate)]
        other = self.one("SELECT MAX(id) FROM loop_stages")
        stage = data.draw(maybe(st.sampled_from(stages or [other]), st.sampled_from(
            [str(other), "0", str(2**31 - 1)])), label="stage")
        url = f"{self.candidate_url(candidate)}/stages/{stage}/schedule"
        self.send(person, "POST", url, self.booking_form(data, person, candidate))

    @rule(data=st.data())
    @step
    def schedule_another(self, data):  # bookings collide only if there are many: twice the weight
        self.book(data)

    @rule(data=st.data())
    @step
    def reschedule(self, data):
        row = self.draw_row(data, "SELECT id, candidate_id FROM interviews ORDER BY id", "interview")
        person = self.draw_person_for(data, self.requisition_of(row[1]))
        self.send(person, "POST", f"/interviews/{row[0]}/reschedule",
                  self.booking_form(data, person, row[1]))

    @rule(data=st.data())
    @step
    def cancel(self, data):
        row = self.draw_row(data, "SELECT id, candidate_id FROM interviews ORDER BY id", "interview")
        person = self.draw_person_for(data, self.requisition_of(row[1]))
        reason = data.draw(maybe(st.just("The candidate asked to move it."),
                                 st.just("x" * 501)), label="reason")
        self.send(person, "POST", f"/interviews/{row[0]}/cancel", {"reason": reason})

    @rule(data=st.data())
    @step
    def change_loop(self, data):
        candidate = self.draw_candidate(data)
        person = self.draw_person_for(data, self.requisition_of(candidate))
        base = self.candidate_url(candidate)
        stages = [r[0] for r in self.rows(STAGE_SQL, c=candidate)] or [1]
        stage = data.draw(maybe(st.sampled_from(stages), BAD_ID), label="stage")
        action = data.draw(st.sampled_from(["build", "swap", "add", "remove", "move"]),
                           label="action")
        if action == "build":
            self.send(person, "POST", f"{base}/loop")
        elif action == "swap":
            lq = self.draw_row(data, """SELECT q.id FROM loop_questions q JOIN loops l
                                        ON l.id = q.loop_id WHERE l.candidate_id = :c""",
                               "loop question", c=candidate)
            question = data.draw(maybe(st.sampled_from(["", "1", "5", "40"]), BAD_ID),
                                 label="question")
            self.send(person, "POST", f"{base}/loop/questions/{lq[0] if lq else 1}/swap",
                      {"question_id": question})
        elif action == "add":
            self.send(person, "POST", f"{base}/loop/stages", {
                "name": data.draw(maybe(st.just("Extra deep dive")), label="name"),
                "category": data.draw(maybe(st.sampled_from([c.value for c in Category])),
                                      label="category"),
                "minutes": data.draw(maybe(st.sampled_from(["30", "45"])), label="minutes"),
                "question_count": data.draw(maybe(st.sampled_from(["1", "2", "5"]),
                                                  st.sampled_from(["0", "6", "abc"])),
                                            label="count"),
                "focus": data.draw(maybe(st.lists(st.sampled_from(self.area_slugs()),
                                                  min_size=1, max_size=2, unique=True),
                                         st.sampled_from([[], ["bogus"]])), label="focus"),
            })
        elif action == "remove":
            self.send(person, "POST", f"{base}/loop/stages/{stage}/remove")
        else:
            direction = data.draw(maybe(st.sampled_from(["up", "down"])), label="direction")
            self.send(person, "POST", f"{base}/loop/stages/{stage}/move", {"direction": direction})

    def area_slugs(self) -> list[str]:
        return [r[0] for r in self.rows("SELECT slug FROM capability_areas ORDER BY id")]

    @rule(data=st.data())
    @step
    def change_team(self, data):
        requisition = data.draw(st.sampled_from(self.world.requisitions), label="requisition")
        person = self.draw_person_for(data, requisition)
        user = data.draw(maybe(st.sampled_from([str(i) for i in self.world.users.values()]),
                               BAD_ID), label="user")
        if data.draw(st.booleans(), label="add"):
            self.send(person, "POST", f"/requisitions/{requisition}/team", {"user_id": user})
        else:
            self.send(person, "POST", f"/requisitions/{requisition}/team/{user}/remove")

    @rule(data=st.data())
    @step
    def change_candidate(self, data):
        candidate = self.draw_candidate(data)
        person = self.draw_person_for(data, self.requisition_of(candidate))
        base = self.candidate_url(candidate)
        if data.draw(st.integers(0, 9), label="withdraw?") == 0:  # rare: it ends the candidate
            self.send(person, "POST", f"{base}/withdraw")
            return
        version = self.one("SELECT version FROM candidates WHERE id = :c", c=candidate)
        self.send(person, "POST", f"{base}/edit", {
            "name": data.draw(maybe(st.just(f"Candidate {candidate} ✓")), label="name"),
            "email": data.draw(maybe(st.just(f"candidate{candidate}@example.net"),
                                     st.sampled_from(["candidate1@example.net", "nope", ""])),
                               label="email"),
            "source": data.draw(maybe(st.just("Referral")), label="source"),
            "notes": data.draw(maybe(st.just("Strong systems background.")), label="notes"),
            "version": data.draw(maybe(st.just(str(version)), st.sampled_from(
                [str(version - 1), "abc", str(2**40)])), label="version"),
        })
