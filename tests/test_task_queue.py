"""The task queue (Huey) on a SQLite file and on the Redis at 127.0.0.1:6379: jobs reach it
only when their transaction commits, `interviewloop worker --burst` runs them (and the
retries now due) and exits, and the settings are checked."""

from __future__ import annotations

import time
import uuid

import pytest
from flask import abort

from interviewloop import create_app
from interviewloop.config import ConfigError, load_config
from interviewloop.db import db
from interviewloop.queue import JOBS, enqueue_after_commit, job, task_queue
from tests.conftest import app_config, post


@pytest.fixture(params=["sqlite", "redis"])
def queue_url(request, tmp_path):
    if request.param == "redis":
        return "redis://127.0.0.1:6379/0"
    return f"sqlite:///{tmp_path / 'tasks.db'}"


@pytest.fixture
def runs():
    """A job of the test's own, `note_run`, that records each run (and fails when told)."""
    seen: list[str] = []
    failures: list[str] = []

    @job("note_run", retries=2, retry_delay=2)
    def note_run(app, note: str) -> None:
        if note in failures:
            failures.remove(note)
            raise RuntimeError("failing once, as told")
        seen.append(note)

    yield seen, failures
    del JOBS["note_run"]


@pytest.fixture
def app(connection, queue_url, runs):
    app = create_app(app_config(DB_BIND=connection, DATABASE_URL="sqlite://",
                                TASK_QUEUE_URL=queue_url,
                                TASK_QUEUE_NAME=f"test-{uuid.uuid4().hex}"))

    @app.post("/test/ask/<int:status>")
    def ask(status: int):
        enqueue_after_commit(db.session, "note_run", note=f"asked with {status}")
        enqueue_after_commit(db.session, "note_run", note=f"asked with {status}")  # once
        if status >= 400:
            abort(status)
        return "asked"

    yield app
    task_queue(app).huey.flush()


def burst(app) -> str:
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_job_asked_for_in_a_rolled_back_request_never_runs(app, runs):
    seen, _failures = runs
    client = app.test_client()
    assert post(client, "/test/ask/409").status_code == 409
    assert task_queue(app).huey.pending_count() == 0
    assert "0 job(s) run" in burst(app)
    assert seen == []
    # The same request, committed: queued once (asked twice), run once.
    assert post(client, "/test/ask/200").status_code == 200
    assert task_queue(app).huey.pending_count() == 1
    assert "1 job(s) run" in burst(app)
    assert seen == ["asked with 200"]
    assert "0 job(s) run" in burst(app)
    assert seen == ["asked with 200"]


def test_a_job_that_fails_is_retried_after_its_delay_by_a_later_burst(app, runs):
    seen, failures = runs
    failures.append("asked with 200")
    post(app.test_client(), "/test/ask/200")
    burst(app)
    huey = task_queue(app).huey
    assert seen == [] and huey.scheduled_count() == 1  # the retry, two seconds away
    burst(app)
    assert seen == [] and huey.scheduled_count() == 1  # not due yet: not run early
    time.sleep(2.1)
    burst(app)
    assert seen == ["asked with 200"]
    assert huey.scheduled_count() == 0 and huey.pending_count() == 0


def test_the_worker_command_is_listed_with_its_burst_option(app):
    result = app.test_cli_runner().invoke(args=["worker", "--help"])
    assert result.exit_code == 0 and "--burst" in result.output


@pytest.mark.parametrize(("env", "queue", "delivery"), [
    ("development", "sqlite:///{instance}/tasks.db", "outbox"),
    ("test", "sqlite:///{instance}/tasks.db", "smtp"),
    ("production", "redis://127.0.0.1:6379/0", "smtp"),
])
def test_the_queue_and_mail_delivery_default_by_environment(tmp_path, env, queue, delivery):
    config = load_config({"INTERVIEWLOOP_ENV": env, "SECRET_KEY": "x"},
                         instance_path=str(tmp_path))
    assert config["TASK_QUEUE_URL"] == queue.format(instance=tmp_path)
    assert config["MAIL_DELIVERY"] == delivery


@pytest.mark.parametrize(("name", "value"), [
    ("TASK_QUEUE_URL", "amqp://127.0.0.1/"), ("TASK_QUEUE_URL", "sqlite:///"),
    ("MAIL_DELIVERY", "console"), ("MAIL_RETRY_SECONDS", "0"),
])
def test_malformed_queue_and_mail_settings_are_named(tmp_path, name, value):
    with pytest.raises(ConfigError, match=name):
        load_config({"INTERVIEWLOOP_ENV": "test", "SECRET_KEY": "x", name: value},
                    instance_path=str(tmp_path))


def test_queue_settings_come_from_the_environment(tmp_path):
    config = load_config({"INTERVIEWLOOP_ENV": "production", "SECRET_KEY": "x",
                          "TASK_QUEUE_URL": str(tmp_path / "q.db"), "MAIL_DELIVERY": "outbox"},
                         instance_path=str(tmp_path))
    assert config["TASK_QUEUE_URL"] == str(tmp_path / "q.db")
    assert config["MAIL_DELIVERY"] == "outbox"


@pytest.mark.parametrize(("minutes", "fires", "quiet"), [
    (5, ["2026-12-02 10:05", "2026-12-02 10:00"], ["2026-12-02 10:03"]),
    (60, ["2026-12-02 10:00"], ["2026-12-02 10:30", "2026-12-02 10:05"]),
    (180, ["2026-12-02 03:00", "2026-12-02 21:00"], ["2026-12-02 04:00", "2026-12-02 03:30"]),
])
def test_a_periodic_job_fires_on_its_period(minutes, fires, quiet):
    from datetime import datetime

    from interviewloop.queue import period

    schedule = period(minutes)
    assert all(schedule(datetime.fromisoformat(at)) for at in fires)
    assert not any(schedule(datetime.fromisoformat(at)) for at in quiet)


@pytest.mark.parametrize("minutes", [45, 90, 7 * 60])
def test_a_period_that_would_drift_is_refused(minutes):
    from interviewloop.queue import period

    with pytest.raises(ValueError, match="divisor"):
        period(minutes)
