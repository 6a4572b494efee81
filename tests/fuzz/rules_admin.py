"""Rules: the question bank, requisitions' definitions, users, and own settings."""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.stateful import rule
from sqlalchemy.orm import Session

from interviewloop.bank import service as bank
from interviewloop.enums import Category, Level
from interviewloop.requisitions.models import OPERATING_QUESTIONS, PRODUCTION_SURFACE, Requisition
from tests.fuzz.base import step
from tests.fuzz.values import BAD_ID, maybe

EDITORS = ("manager", "manager2", "admin", "i1", "recruiter")


def stale(version: int):
    return st.sampled_from([str(version - 1), str(version + 1), "abc", "-1", str(2**40)])


class AdminRules:
    def read_session(self) -> Session:
        return Session(bind=self.conn, join_transaction_mode="create_savepoint")

    @rule(data=st.data())
    @step
    def edit_question(self, data):
        person = self.draw_person(data, *EDITORS)
        question_id = data.draw(st.sampled_from(
            [r[0] for r in self.rows("SELECT id FROM questions ORDER BY id")]), label="question")
        action = data.draw(st.sampled_from(["edit", "edit", "retire", "unretire"]), label="action")
        if action != "edit":
            self.send(person, "POST", f"/bank/questions/{question_id}/{action}")
            return
        with self.read_session() as session:
            question = bank.get_question(session, question_id)
            now, version = bank.question_input(question), question.version
        lines = data.draw(st.sampled_from([now.signals, now.signals[:2], [*now.signals, "ünï ✓"]]),
                          label="signals")
        self.send(person, "POST", f"/bank/questions/{question_id}/edit", {
            "title": data.draw(maybe(st.sampled_from([now.title, "Edited title ✓"])), label="t"),
            "category": data.draw(maybe(st.sampled_from([now.category, *Category])), label="c"),
            "prompt": data.draw(maybe(st.just(now.prompt)), label="prompt"),
            "signals": "\n".join(lines),
            "red_flags": data.draw(maybe(st.just("\n".join(now.red_flags))), label="flags"),
            "areas": data.draw(maybe(st.just(list(now.areas)), st.sampled_from([[], ["bogus"]])),
                               label="areas"),
            "levels": data.draw(maybe(st.just(list(now.levels)),
                                      st.sampled_from([[], ["principal"]])), label="levels"),
            "benchmarks": list(now.benchmarks),
            "minutes": data.draw(maybe(st.sampled_from([str(now.minutes), "5", "120"]),
                                       st.sampled_from(["4", "121", "abc", ""])), label="min"),
            "version": data.draw(maybe(st.just(str(version)), stale(version)), label="version"),
        })

    @rule(data=st.data())
    @step
    def edit_requisition(self, data):
        requisition_id = data.draw(st.sampled_from(self.world.requisitions), label="requisition")
        person = self.draw_person_for(data, requisition_id)
        with self.read_session() as session:
            req = session.get(Requisition, requisition_id)
            values = {name: getattr(req, name) or "" for name in
                      (*OPERATING_QUESTIONS, *PRODUCTION_SURFACE)}
            values.update(title=req.title, team=req.team, level=req.level.value,
                          comp_currency=req.comp_currency, comp_min=str(req.comp_min),
                          comp_max=str(req.comp_max), version=req.version,
                          managers=[str(req.hiring_manager_id)], recruiters=[str(req.recruiter_id)],
                          hide=req.hide_scorecards_until_debrief)
        users = self.world.users
        form = {name: data.draw(maybe(st.just(values[name]), st.sampled_from(["", "x" * 4001])),
                                label=name) for name in (*OPERATING_QUESTIONS, *PRODUCTION_SURFACE)}
        form.update({
            "title": data.draw(maybe(st.sampled_from([values["title"], "AI Engineer ✓"])), label="t"),
            "team": data.draw(maybe(st.just(values["team"])), label="team"),
            "level": data.draw(maybe(st.sampled_from([values["level"], *Level])), label="level"),
            "hiring_manager_id": data.draw(maybe(st.sampled_from(
                [*values["managers"] * 3, str(users["manager"]), str(users["manager2"])]),
                st.sampled_from([str(users["i1"]), "0", "abc", "-1", str(2**40)])),
                label="manager"),
            "recruiter_id": data.draw(maybe(st.sampled_from(values["recruiters"]),
                                            st.sampled_from([str(users["admin"]), "0", "abc"])),
                                      label="recruiter"),
            "comp_currency": data.draw(maybe(st.sampled_from(["USD", "EUR"]),
                                             st.sampled_from(["usd", "US", "EURO", ""])), label="$"),
            "comp_min": data.draw(maybe(st.just(values["comp_min"]),
                                        st.sampled_from(["-1", "abc", "999999999"])), label="min"),
            "comp_max": data.draw(maybe(st.just(values["comp_max"]),
                                        st.sampled_from(["1", "", str(2**40)])), label="max"),
            "version": data.draw(maybe(st.just(str(values["version"])), stale(values["version"])),
                                 label="version"),
        })
        if data.draw(st.booleans(), label="hide") != values["hide"]:
            form["hide_scorecards_until_debrief"] = "y"
        self.send(person, "POST", f"/requisitions/{requisition_id}/edit", form)

    @rule(data=st.data())
    @step
    def manage_user(self, data):
        person = self.draw_person(data, "admin", "admin", "manager")
        target = data.draw(maybe(st.sampled_from([str(i) for i in self.world.users.values()]),
                                 BAD_ID), label="user")
        action = data.draw(st.sampled_from(["deactivate", "reactivate"]), label="action")
        self.send(person, "POST", f"/admin/users/{target}/{action}")

    @rule(data=st.data())
    @step
    def change_settings(self, data):
        person = self.draw_person(data)
        self.send(person, "POST", "/account", {
            "time_zone": data.draw(maybe(st.sampled_from(["UTC", "Europe/Paris", "Asia/Kolkata"]),
                                         st.sampled_from(["Mars/Olympus", "utc ", ""])), label="tz"),
            "weekly_interview_cap": data.draw(maybe(st.sampled_from(["", "1", "2", "10"]),
                                                    st.sampled_from(["0", "51", "abc", "-1"])),
                                              label="cap"),
        })
