"""The console script and the configuration surface."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from interviewloop.auth.models import User
from interviewloop.config import ConfigError, load_config
from interviewloop.demo import DEMO_USERS


def test_secret_key_is_required_outside_development(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY must be set"):
        load_config({"INTERVIEWLOOP_ENV": "production"}, instance_path=str(tmp_path))
    dev = load_config({"INTERVIEWLOOP_ENV": "development"}, instance_path=str(tmp_path))
    assert dev["SECRET_KEY"]
    assert dev["DATABASE_URL"] == f"sqlite:///{tmp_path}/interviewloop.db"
    assert dev["SESSION_COOKIE_SECURE"] is False


@pytest.mark.parametrize(("env", "message"), [
    ({"SESSION_IDLE_MINUTES": "soon"}, "SESSION_IDLE_MINUTES='soon' is not valid"),
    ({"LOGIN_MAX_FAILURES": "0"}, "LOGIN_MAX_FAILURES='0' is not valid"),
    ({"SESSION_COOKIE_SECURE": "maybe"}, "SESSION_COOKIE_SECURE='maybe' is not valid"),
    ({"INTERVIEWLOOP_ENV": "staging"}, "INTERVIEWLOOP_ENV must be one of"),
])
def test_malformed_settings_are_named(tmp_path, env, message):
    with pytest.raises(ConfigError, match=message):
        load_config({"SECRET_KEY": "s", **env}, instance_path=str(tmp_path))


def test_settings_come_from_the_environment(tmp_path):
    config = load_config({"SECRET_KEY": "s", "DATABASE_URL": "postgresql+psycopg://db/x",
                          "SESSION_IDLE_MINUTES": "5", "SESSION_COOKIE_SECURE": "false"},
                         instance_path=str(tmp_path))
    assert config["DATABASE_URL"] == "postgresql+psycopg://db/x"
    assert config["SESSION_IDLE_MINUTES"] == 5
    assert config["SESSION_COOKIE_SECURE"] is False
    assert config["ENV"] == "production"


def test_demo_creates_the_documented_logins_once(app, db_session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "7 users created" in first.output
    for email, _name, _roles in DEMO_USERS:
        assert email in first.output
    second = runner.invoke(args=["demo"])
    assert "0 users created" in second.output
    assert db_session.scalar(select(func.count()).select_from(User)) == len(DEMO_USERS)
    # Requisitions at every level, with candidates and built loops, created once.
    from interviewloop.debrief.models import Decision
    from interviewloop.demo_history import PER_LEVEL, history_titles
    from interviewloop.loops.models import Loop
    from interviewloop.requisitions.models import Candidate, Requisition
    from interviewloop.scheduling.models import Interview
    from interviewloop.scorecards.models import Scorecard

    past = list(history_titles().values())
    current = Requisition.title.not_in(past)
    levels = db_session.scalars(select(Requisition.level).where(current)).all()
    assert sorted(lv.value for lv in levels) == ["junior", "senior", "staff"]
    # Three per senior candidate for the debrief: ready, a disagreement, an offer; and one
    # whose system design interview had a shadow (the demo pool's trainee).
    mine = (select(func.count()).select_from(Candidate)
            .join(Requisition, Requisition.id == Candidate.requisition_id).where(current))
    assert db_session.scalar(mine) == 10
    assert db_session.scalar(mine.join(Loop, Loop.candidate_id == Candidate.id)) == 9
    from interviewloop.pools.models import PoolMember, PoolState

    states = sorted(m.state for m in db_session.scalars(select(PoolMember)))
    assert states == sorted([PoolState.QUALIFIED] * 3 + [PoolState.SHADOW])
    assert [s.panel_role.value for s in db_session.scalars(select(Scorecard)) if s.is_practice
            ] == ["shadow"]
    statuses = set(db_session.scalars(select(Interview.status)))
    assert {s.value for s in statuses} == {"scheduled", "cancelled"}
    assert {s.value for s in db_session.scalars(select(Scorecard.status))} == {
        "draft", "submitted"}
    assert [d.kind.value for d in db_session.scalars(
        select(Decision).join(Candidate, Candidate.id == Decision.candidate_id)
        .join(Requisition, Requisition.id == Candidate.requisition_id).where(current))] == ["offer"]
    # The history behind the reports: past candidates on three closed requisitions, with
    # offers and rejections; one over-exposed question and one that does not discriminate.
    assert db_session.scalar(select(func.count()).select_from(Candidate).join(
        Requisition, Requisition.id == Candidate.requisition_id).where(
        Requisition.title.in_(past), Requisition.status == "closed")) == 3 * PER_LEVEL
    assert {d.kind.value for d in db_session.scalars(select(Decision))} == {"offer", "reject"}
    from interviewloop.analytics import funnel, questions
    from interviewloop.analytics.queries import Filters

    admin = db_session.scalar(select(User).where(User.email == "admin@example.com"))
    rows = questions.report(db_session, admin, questions.QuestionFilters(), page=1,
                            exposure_limit=app.config["QUESTION_EXPOSURE_LIMIT"], size=200).rows
    assert [f for r in rows for f in r.flags].count(questions.Flag.OVER_EXPOSED) == 1
    assert [f for r in rows for f in r.flags].count(questions.Flag.LOW_DISCRIMINATION) >= 1
    assert sum(r.strength == "strong" for r in rows) >= 5
    assert all(lf.total.steps[-1].count > 0 for lf in funnel.report(db_session, admin, Filters()))
    # The history's evidence went through the nudges (as if submitted through the form): the
    # calibration page shows each interviewer's share nudged (docs/analytics.md, the figures).
    from interviewloop.analytics import service as analytics
    from interviewloop.bank.service import areas as all_areas

    report = analytics.interviewers(db_session, admin, all_areas(db_session), Filters(),
                                    due_hours=24)
    shares = {r.label: r.nudged.value for r in report.rows if r.nudged.low is not None}
    assert len(shares) == 4 and 0.2 < report.pool.nudged.value < 0.4, shares
    assert max(shares.values()) > 2 * min(shares.values())  # a different mix per interviewer
    # Some nudged evidence was rewritten before submit, some went in as it was, in a
    # different measure per interviewer: the "changed after the nudge" share means something.
    changed = {r.label: r.nudged_changed.value for r in report.rows
               if r.nudged_changed.low is not None}
    assert len(changed) == 4 and 0.25 < report.pool.nudged_changed.value < 0.6, changed
    assert max(changed.values()) > 2 * min(changed.values()), changed
    # The senior requisition's candidates share its question set, stage by stage.
    from interviewloop.loops.models import LoopQuestion, LoopStage, QuestionSet

    senior = db_session.scalar(select(Requisition.id).where(Requisition.level == "senior"))
    asked: dict[int, dict[int, set[int]]] = {}
    for candidate_id, position, question_id in db_session.execute(
            select(Loop.candidate_id, LoopStage.position, LoopQuestion.question_id)
            .join(LoopStage, LoopStage.loop_id == Loop.id)
            .join(LoopQuestion, LoopQuestion.stage_id == LoopStage.id)
            .join(Candidate, Candidate.id == Loop.candidate_id)
            .where(Candidate.requisition_id == senior)):
        asked.setdefault(candidate_id, {}).setdefault(position, set()).add(question_id)
    assert len(asked) == 6  # three debriefed, two of the three others, the shadowed one
    assert len({tuple(sorted((p, tuple(sorted(q))) for p, q in a.items()))
                for a in asked.values()}) == 1
    assert db_session.scalar(select(func.count()).select_from(QuestionSet)) == 3  # one each
    emails = {e for e, _n, _r in DEMO_USERS}
    assert {f"interviewer{n}@example.com" for n in range(1, 5)} | {
        "admin@example.com", "recruiter@example.com", "manager@example.com"} == emails


def test_create_user_command_applies_the_same_checks(app, db_session):
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["create-user", "--email", "New@Example.com", "--name", "New",
                             "--role", "recruiter", "--role", "interviewer",
                             "--password", "a-perfectly-long-one"])
    assert ok.exit_code == 0, ok.output
    assert "new@example.com (interviewer, recruiter)" in ok.output
    common = runner.invoke(args=["create-user", "--email", "x@example.com", "--name", "X",
                                 "--role", "admin", "--password", "password1"])
    assert common.exit_code != 0
    assert "most common" in common.output
    again = runner.invoke(args=["create-user", "--email", "NEW@example.com", "--name", "N",
                                "--role", "admin", "--password", "another-long-one"])
    assert "already exists" in again.output
    zone = runner.invoke(args=["create-user", "--email", "z@example.com", "--name", "Z",
                               "--role", "admin", "--password", "another-long-one",
                               "--time-zone", "Mars/Olympus"])
    assert "Unknown time zone" in zone.output
    assert db_session.scalar(select(func.count()).select_from(User)) == 1


def test_import_questions_command(app, db_session, bank_data):
    from interviewloop.bank.models import Question

    result = app.test_cli_runner().invoke(args=["import-questions"])
    assert result.exit_code == 0, result.output
    assert f"{len(bank_data.questions)} created" in result.output
    assert db_session.scalar(select(func.count()).select_from(Question)) == len(bank_data.questions)


def test_console_script_lists_flask_and_project_commands(tmp_path):
    import os
    import shutil
    import subprocess
    import sys

    script = shutil.which("interviewloop", path=os.path.dirname(sys.executable))
    assert script, "the interviewloop console script is not installed"
    env = {**os.environ, "SECRET_KEY": "s", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    result = subprocess.run([script, "--help"], capture_output=True, text=True, env=env,
                            check=True, timeout=60)
    for command in ("run", "shell", "routes", "init-db", "import-questions", "create-user",
                    "demo"):
        assert f"  {command} " in result.stdout
