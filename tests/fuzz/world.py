"""The small world each example starts from, and the people who act in it: each with
their own test client, logged in through the real form on first use."""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.conftest import CSRF_META, log_in
from tests.factories import (
    add_to_team,
    make_candidate,
    make_candidate_with_loop,
    make_interview,
    make_requisition,
    next_monday,
    past_interview,
    write_scorecard,
)

# name: (roles, time zone). The hiring manager also interviews (independence binds them too).
PEOPLE = {
    "admin": (("admin",), "UTC"),
    "recruiter": (("recruiter",), "America/New_York"),
    "manager": (("hiring_manager", "interviewer"), "Europe/London"),
    "manager2": (("hiring_manager",), "UTC"),
    "i1": (("interviewer",), "Asia/Tokyo"),
    "i2": (("interviewer",), "UTC"),
    "i3": (("interviewer",), "America/Los_Angeles"),
    "i4": (("interviewer",), "Europe/Berlin"),
}


@dataclass
class World:
    """Ids of what the world starts with (the machine reads the rest from the database)."""

    users: dict[str, int]
    emails: dict[str, str]
    requisitions: list[int]
    candidates: list[int]
    markers: dict[str, tuple[int, int]] = field(default_factory=dict)  # marker: (author, cand)


def build_world(session, make_user) -> World:
    users = {name: make_user(*roles, name=f"Fuzz {name}", time_zone=zone)
             for name, (roles, zone) in PEOPLE.items()}
    u = users
    req1 = make_requisition(session, u["manager"], u["recruiter"])
    add_to_team(session, req1, u["manager"], u["i1"], u["i2"], u["i3"])
    req2 = make_requisition(session, u["manager2"], u["recruiter"], title="Staff ML Platform",
                            level="staff", hide_scorecards_until_debrief=True)
    add_to_team(session, req2, u["manager2"], u["i2"], u["i3"], u["i4"])
    c1, loop1 = make_candidate_with_loop(session, req1, u["recruiter"], 1, seed=1)
    c2, loop2 = make_candidate_with_loop(session, req1, u["recruiter"], 2, seed=2)
    c3 = make_candidate(session, req1, u["recruiter"], 3)
    c4, loop4 = make_candidate_with_loop(session, req2, u["recruiter"], 4, seed=4)
    c5, _loop5 = make_candidate_with_loop(session, req2, u["recruiter"], 5, seed=5)
    # Interviews already held (scorecards can be submitted) and one to come.
    first = past_interview(session, req1, u["recruiter"], c1, loop1.stages[0], [u["i1"], u["i2"]],
                           ended_hours_ago=30)
    past_interview(session, req1, u["recruiter"], c1, loop1.stages[1], [u["i3"], u["manager"]],
                   ended_hours_ago=3)
    past_interview(session, req1, u["recruiter"], c2, loop2.stages[0], [u["i2"]], ended_hours_ago=10)
    make_interview(session, req1, u["recruiter"], c2, loop2.stages[1], [u["i1"]],
                   next_monday(2, hour=10))
    past_interview(session, req2, u["recruiter"], c4, loop4.stages[0], [u["i4"], u["i2"]],
                   ended_hours_ago=50)
    past_interview(session, req2, u["recruiter"], c4, loop4.stages[1], [u["i3"]], ended_hours_ago=20)
    world = World(users={n: x.id for n, x in users.items()},
                  emails={n: x.email for n, x in users.items()},
                  requisitions=[req1.id, req2.id], candidates=[c.id for c in (c1, c2, c3, c4, c5)])
    # One submitted scorecard from the start, so that a pending panelist has something to see.
    marker = "MK~0~Z"
    write_scorecard(session, u["i1"], req1, first, evidence=f"evidence {marker}",
                    notes=f"note {marker}", summary=f"summary {marker}",
                    signal_evidence=f"signal {marker}")
    world.markers[marker] = (u["i1"].id, c1.id)
    session.flush()
    return world


class Person:
    """Someone using the app: logged in once through the real form, with the CSRF token of
    their session read from a page as a browser would. Each example gets a fresh client
    holding that login's cookie (the login session itself is outside the example's
    savepoint, so it outlives the rollback)."""

    def __init__(self, app, name: str, user_id: int, email: str) -> None:
        self.app, self.name, self.id, self.email = app, name, user_id, email
        client = app.test_client()
        response = log_in(client, email)
        assert response.status_code == 302, response.get_data(as_text=True)
        page = client.get("/account")
        self.token = CSRF_META.search(page.get_data(as_text=True)).group(1)
        self.cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
        self.client = None

    def fresh_client(self) -> None:
        self.client = self.app.test_client()
        self.client.set_cookie(self.app.config["SESSION_COOKIE_NAME"], self.cookie)
