"""The machine's core: one clean world per example (a savepoint, or in a long run a
transaction, rolled back after it), the people, and ``send``, through which every request
goes and is checked."""

from __future__ import annotations

import functools
import os
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant
from sqlalchemy import text

from tests.fuzz.invariants import broken_invariants, independence_breaches, snapshot
from tests.fuzz.values import BadValues

if TYPE_CHECKING:
    from tests.fuzz.world import Person


@dataclass
class Stats:
    steps: int = 0
    examples: int = 0
    requests: int = 0
    refused: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=dict)  # "rule status": count
    seconds: dict[str, float] = field(default_factory=dict)  # where the time went

    def timed(self, what: str, started: float) -> None:
        self.seconds[what] = self.seconds.get(what, 0.0) + time.perf_counter() - started


class Context:
    """Set by the test before the run: the app, its connection and the world's ids."""

    app = None
    connection = None
    world = None
    people: dict = {}
    stats = Stats()
    own_transactions = False  # an example in a transaction of its own (a long run)


def step(method):
    """Count the step (the rule really ran) under its rule's name."""

    @functools.wraps(method)
    def counted(self, *args, **kwargs):
        stats = Context.stats
        stats.steps += 1
        stats.by_rule[method.__name__] = stats.by_rule.get(method.__name__, 0) + 1
        self.current_rule = method.__name__
        data = kwargs["data"]
        BadValues.on = data.draw(st.integers(0, 9), label="mix bad values in?") >= 7
        return method(self, *args, **kwargs)

    return counted


class MachineBase(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.conn = Context.connection
        self.undo = (self.conn.begin() if Context.own_transactions
                     else self.conn.begin_nested())
        world = Context.world
        self.world = world
        self.markers = dict(world.markers)
        self.people = Context.people
        for person in self.people.values():
            person.fresh_client()
        self.next_marker = 1
        self.known_state = None  # the last snapshot, while nothing has changed since
        Context.stats.examples += 1
        if os.environ.get("FUZZ_PROGRESS"):  # a long run's progress, for whoever watches
            with open(os.environ["FUZZ_PROGRESS"], "a") as out:
                out.write(f"{time.strftime('%H:%M:%S')} {Context.stats.steps} steps\n")

    def teardown(self) -> None:
        self.undo.rollback()

    # --- reading the database (Core SQL on the app's own connection) ---------------------

    def rows(self, sql: str, **params) -> list:
        return self.conn.execute(text(sql), params).all()

    def one(self, sql: str, **params):
        return self.conn.execute(text(sql), params).scalar()

    def draw_person(self, data, *names: str) -> Person:
        return self.people[data.draw(st.sampled_from(names or sorted(self.people)), label="who")]

    def name_of(self, user_id: int) -> str:
        return next(n for n, i in self.world.users.items() if i == user_id)

    def draw_person_for(self, data, requisition_id: int, *, recruiter: bool = True) -> Person:
        """Usually the person whose job this is on the requisition (its hiring manager, or
        its recruiter too), sometimes anyone."""
        manager, recruiter_id = self.rows(
            "SELECT hiring_manager_id, recruiter_id FROM requisitions WHERE id = :r",
            r=requisition_id)[0]
        right = [self.name_of(manager)] + ([self.name_of(recruiter_id)] if recruiter else [])
        if data.draw(st.integers(0, 4), label="the right person?") < 4:
            return self.draw_person(data, *right)
        return self.draw_person(data)

    def draw_row(self, data, sql: str, label: str, **params):
        found = self.rows(sql, **params)
        return data.draw(st.sampled_from(found), label=label) if found else None

    def new_marker(self, author_id: int, candidate_id: int) -> str:
        marker = f"MK~{self.next_marker}~Z"
        self.next_marker += 1
        self.markers[marker] = (author_id, candidate_id)
        return marker

    def requisition_of(self, candidate_id: int) -> int:
        return self.one("SELECT requisition_id FROM candidates WHERE id = :c", c=candidate_id)

    # --- every request goes through here ---------------------------------------------------

    def send(self, person: Person, method: str, url: str, form: dict | None = None, *,
             csrf: str = "good"):
        client = person.client
        form = dict(form or {})
        before = None
        if method == "POST":
            if csrf == "good":
                form["csrf_token"] = person.token
            elif csrf == "bogus":
                form["csrf_token"] = "not-the-token"
            if self.known_state is None:
                started = time.perf_counter()
                self.known_state = snapshot(self.conn)
                Context.stats.timed("snapshots", started)
            before = self.known_state
        started = time.perf_counter()
        response = client.open(url, method=method, data=form if method == "POST" else None)
        Context.stats.timed("requests", started)
        Context.stats.requests += 1
        body = response.get_data(as_text=True)
        status = response.status_code
        outcome = f"{getattr(self, 'current_rule', '?')} {status}"
        Context.stats.outcomes[outcome] = Context.stats.outcomes.get(outcome, 0) + 1
        assert status < 500, f"{method} {url} as {person.name} -> {status}\n{form!r:.800}\n{body[:3000]}"
        started = time.perf_counter()
        breaches = independence_breaches(self.conn, self.markers, person.id, body)
        Context.stats.timed("independence", started)
        assert not breaches, f"{method} {url} as {person.name}: {breaches}"
        if before is not None and status < 400:
            self.known_state = None  # (GETs change nothing: a refused POST would show it)
        if before is not None and status >= 400:
            Context.stats.refused += 1
            started = time.perf_counter()
            after = snapshot(self.conn)
            Context.stats.timed("snapshots", started)
            changed = sorted(name for name in before if before[name] != after[name])
            assert not changed, f"refused {method} {url} ({status}) changed {changed}: {form!r:.800}"
        return response

    @invariant()
    def database_rules_hold(self) -> None:
        started = time.perf_counter()
        broken = broken_invariants(self.conn)
        Context.stats.timed("invariants", started)
        assert not broken, broken
