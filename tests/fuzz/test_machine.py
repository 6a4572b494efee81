"""Run the state machine: a bounded, reproducible run in the normal suite; `make fuzz`
sets FUZZ_STEPS for a long run with random seeds."""

from __future__ import annotations

import math
import os
import time

from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from interviewloop import create_app
from tests.conftest import app_config
from tests.fuzz.base import Context, Stats
from tests.fuzz.machine import InterviewLoopMachine
from tests.fuzz.world import Person, build_world

BOUNDED_STEPS = 2_000
STEPS_PER_EXAMPLE = 40


def test_random_people_doing_random_things(connection, db_session, bank, make_user,
                                           record_property):
    # Logins made once must last the whole run (a long one takes an hour or more).
    app = create_app(app_config(DB_BIND=connection, DATABASE_URL="sqlite://",
                                SESSION_IDLE_MINUTES=24 * 60, SESSION_MAX_HOURS=48))
    Context.app, Context.connection = app, connection
    Context.world = world = build_world(db_session, make_user)
    db_session.commit()
    Context.people = {name: Person(app, name, user_id, world.emails[name])
                      for name, user_id in world.users.items()}
    Context.stats = stats = Stats()
    long_run = "FUZZ_STEPS" in os.environ
    if long_run:
        # The world (and the logins) committed, each example in a transaction of its own:
        # one transaction for the whole run would hold every example's savepoints, and
        # PostgreSQL slows as their subtransactions pile up. The run's database is its own.
        connection.commit()
    Context.own_transactions = long_run
    target = int(os.environ.get("FUZZ_STEPS", BOUNDED_STEPS))
    started = time.monotonic()
    try:
        # A bounded run is one reproducible pass (derandomized), topped up with a random
        # pass only if it fell short; a long run goes on with random seeds to the target.
        derandomize = not long_run
        while stats.steps < target:
            examples = math.ceil((target - stats.steps) / STEPS_PER_EXAMPLE * 1.1)
            run_state_machine_as_test(InterviewLoopMachine, settings=settings(
                max_examples=examples, stateful_step_count=STEPS_PER_EXAMPLE,
                derandomize=derandomize, database=None, deadline=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow]))
            derandomize = False
    finally:
        seconds = time.monotonic() - started
        summary = (f"{connection.dialect.name}: {stats.steps} steps in {stats.examples} "
                   f"examples, {stats.requests} requests ({stats.refused} refused POSTs), "
                   f"{seconds:.0f} s; by rule: {dict(sorted(stats.by_rule.items()))}")
        record_property("fuzz_steps", stats.steps)
        record_property("fuzz_summary", summary)
        print(summary)
        print("outcomes:", dict(sorted(stats.outcomes.items())))
        print("seconds:", {k: round(v, 1) for k, v in stats.seconds.items()})
    assert stats.steps >= target, summary
