"""docs/api-worked-example.md, run as written: its shell blocks, in order, with curl and
jq against a live gunicorn over a database of its own (a recruiter, an open requisition,
an interviewed candidate with a submitted scorecard); then its first steps again, which
find the candidate the first run created instead of creating another."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from interviewloop.audit.service import SYSTEM
from interviewloop.auth.service import create_user
from interviewloop.bank.importer import import_bank
from interviewloop.db import make_engine, writing
from interviewloop.requisitions.models import Candidate
from tests.conftest import PASSWORD, TEST_HASHER, migrate, new_database_url
from tests.factories import (
    add_to_team,
    make_candidate_with_loop,
    make_requisition,
    past_interview,
    write_scorecard,
)
from tests.live_gunicorn import ROOT, gunicorn

DOC = ROOT / "docs" / "api-worked-example.md"
SECRET = "gunicorn-test-secret"  # live_gunicorn's: the CLI and the server share the app


def shell_blocks(text: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", text, re.S)


def seed(url: str, bank_data) -> None:
    import copy

    engine = make_engine(url)
    with Session(writing(engine)) as session:
        recruiter, manager, interviewer = (
            create_user(session, SYSTEM, TEST_HASHER, email=email, name=name,
                        password=PASSWORD, roles=[role])
            for email, name, role in (("recruiter@example.com", "Rita Recruiter", "recruiter"),
                                      ("manager@example.com", "Manny Manager", "hiring_manager"),
                                      ("interviewer1@example.com", "Ines Interviewer",
                                       "interviewer")))
        import_bank(session, SYSTEM, copy.deepcopy(bank_data))
        requisition = make_requisition(session, manager, recruiter)
        add_to_team(session, requisition, manager, interviewer)
        candidate, loop = make_candidate_with_loop(session, requisition, recruiter, 1)
        interview = past_interview(session, requisition, recruiter, candidate, loop.stages[0],
                                   [interviewer])
        write_scorecard(session, interviewer, requisition, interview, rating=4,
                        recommendation="strong_hire")
        session.commit()
    engine.dispose()


def run(script: str, env: dict[str, str]) -> str:
    done = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done.stdout


def test_the_worked_example_runs_as_written(tmp_path_factory, tmp_path, bank_data):
    url = new_database_url(tmp_path_factory, "worked_example")
    migrate(url)
    seed(url, bank_data)
    blocks = shell_blocks(DOC.read_text())
    script = "set -euo pipefail\n" + "\n".join(blocks)
    # Run again, the sync finds the candidate it made: the token, the requisition, the
    # look-up (steps 1 to 3), and the id it found.
    again = "set -euo pipefail\n" + "\n".join(blocks[:3]) + '\necho "candidate $ID"\n'
    env = {**os.environ, "PYTHONPATH": str(ROOT), "INTERVIEWLOOP_ENV": "test",
           "SECRET_KEY": SECRET, "DATABASE_URL": url,
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    with gunicorn(url, tmp_path, workers=1) as server:
        first = run(script + '\necho "token=$TOKEN"', {**env, "BASE": server.url})
        token = re.search(r"^token=(ila_\S+)$", first, re.M)  # the CLI made it, as written
        assert token
        second = run(again, {**env, "BASE": server.url, "TOKEN": token[1]})
    created = re.search(r"created candidate (\d+)", first)
    assert created and f"candidate {created[1]}" in second and "created" not in second
    assert "stale write: 412" in first
    assert '"external_id":"app-4711"' in first
    assert '"interviewer":"Ines Interviewer"' in first and '"strong_hire"' in first
    assert "next run: SINCE=" in first
    engine = make_engine(url)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Candidate).where(
            Candidate.external_id == "app-4711")) == 1
    engine.dispose()
