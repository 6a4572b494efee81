"""Erasure reaches every column that can hold a candidate's personal data; ratings stay;
retention's preview is what applying touches; the export holds what is kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select, update

from interviewloop.audit.models import AuditEvent
from interviewloop.audit.service import SYSTEM, Actor
from interviewloop.calendars.models import CalendarPush, SyncState
from interviewloop.db import utcnow
from interviewloop.errors import Conflict, Forbidden
from interviewloop.loops import service as loops
from interviewloop.outbox.models import MailState, OutboxMail
from interviewloop.privacy import retention, service
from interviewloop.privacy.catalogue import personal_columns
from interviewloop.privacy.models import CandidateErasure
from interviewloop.privacy.scrub import Replacements
from interviewloop.requisitions import candidates
from interviewloop.requisitions.models import Candidate, CandidateStatus
from interviewloop.requisitions.service import get_requisition
from interviewloop.scheduling import service as scheduling
from interviewloop.scorecards.models import Scorecard
from tests.factories import make_candidate, make_requisition
from tests.privacy_seed import EMAIL, MARKER, NAME, ratings_of, seed_marked, where_marker

# Personal columns the seed cannot fill with the marker: a time zone is a zone's name, and
# the stored API answer's headers name only the candidate's URL, a private link's nonce is
# random (both rows go as a whole).
NO_MARKER = {("candidates", "time_zone"), ("api_idempotent_requests", "response_headers"),
             ("candidate_links", "nonce")}


@pytest.fixture
def marked(db_session, make_user, bank):
    return seed_marked(db_session, make_user)


def test_erasure_leaves_the_marker_in_no_column_of_any_table(db_session, make_user, marked):
    admin = make_user("admin")
    classified = {(t, c) for t, columns in personal_columns().items() for c in columns}
    # The seed reaches every column classified as personal (so a new one needs seeding).
    assert classified - NO_MARKER <= where_marker(db_session)
    before = ratings_of(db_session, marked.candidate.id)
    assert 3 in {r.rating for r in before}

    done = service.erase_candidate(db_session, Actor(admin), marked.candidate,
                                   f"{NAME} asked by email ({EMAIL}).")

    assert where_marker(db_session) == set()
    db_session.expire_all()
    candidate = db_session.get(Candidate, marked.candidate.id)
    assert candidate.name == f"Erased candidate #{candidate.id}"
    assert candidate.status == CandidateStatus.REJECTED and candidate.time_zone == "UTC"
    assert ratings_of(db_session, candidate.id) == before  # ratings and recommendations
    assert done.rows["scorecard_ratings"] > 0 and done.mail_withdrawn >= 1
    assert db_session.get(Candidate, marked.other.id).name == "Candidate 2"


def test_mail_to_the_candidate_is_withdrawn_and_invites_stay_valid(db_session, make_user,
                                                                   marked):
    pending = db_session.scalars(select(OutboxMail.id).where(
        OutboxMail.recipient == EMAIL, OutboxMail.state == MailState.PENDING)).all()
    assert pending
    service.erase_candidate(db_session, Actor(make_user("admin")), marked.candidate, "Asked.")
    db_session.expire_all()
    for mail in db_session.scalars(select(OutboxMail).where(OutboxMail.id.in_(pending))):
        assert (mail.state, mail.next_attempt_at) == (MailState.REFUSED, None)
        assert mail.calendar is None
    invites = db_session.scalars(select(OutboxMail).where(
        OutboxMail.recipient == marked.interviewer.email, OutboxMail.calendar.is_not(None))).all()
    assert invites
    for mail in invites:
        event = next(iter(Calendar.from_ical(mail.calendar).walk("VEVENT")))
        assert str(event["SUMMARY"]).startswith(f"Interview: Erased candidate #{marked.candidate.id}")
        assert all(len(line.encode()) <= 75 for line in mail.calendar.split("\r\n"))


def test_erasure_is_audited_without_the_data_and_is_idempotent(db_session, make_user, marked):
    admin = make_user("admin")
    first = service.erase_candidate(db_session, Actor(admin), marked.candidate, f"{NAME} asked.")
    again = service.erase_candidate(db_session, Actor(admin), marked.candidate, "Again.")
    assert not first.already and again.already and again.record.id == first.record.id
    events = db_session.scalars(select(AuditEvent).where(
        AuditEvent.action == "candidate_erased")).all()
    assert len(events) == 1 and events[0].object_id == marked.candidate.id
    assert events[0].detail["reason"] == f"Erased candidate #{marked.candidate.id} asked."
    assert db_session.scalar(select(func.count()).select_from(CandidateErasure)) == 1
    # The interviewer's calendar is written again (the event named them) ...
    push = db_session.get(CalendarPush, (marked.interview.id, marked.interviewer.id))
    assert (push.state, push.attempts, first.calendars_rewritten) == (SyncState.PENDING, 0, 1)
    # ... and nobody edits the details back in.
    with pytest.raises(Conflict, match="erased"):
        candidates.update_candidate(db_session, Actor(marked.recruiter), marked.requisition,
                                    marked.candidate, candidates.CandidateInput(
                                        name=NAME, email=EMAIL),
                                    seen_version=marked.candidate.version)


def test_erasure_needs_a_reason_and_a_person(db_session, make_user, marked):
    with pytest.raises(service.InvalidErasure):
        service.erase_candidate(db_session, Actor(make_user("admin")), marked.candidate, "  ")
    with pytest.raises(Forbidden):
        service.erase_candidate(db_session, SYSTEM, marked.candidate, "No rule, no person.")
    assert db_session.scalar(select(func.count()).select_from(CandidateErasure)) == 0


def test_erasure_refuses_a_candidate_with_interviews_to_come(db_session, make_user, marked):
    now = utcnow()
    with pytest.raises(Conflict, match="still to come"):
        service.erase_candidate(db_session, Actor(make_user("admin")), marked.candidate,
                                "Asked.", now=now - timedelta(days=1))
    assert service.erasure_of(db_session, marked.candidate.id) is None


def test_export_holds_everything_kept_on_the_candidate(db_session, make_user, marked):
    admin = make_user("admin")
    data = service.export_candidate(db_session, Actor(admin), marked.candidate)
    tables = data["tables"]
    assert tables["candidates"][0]["name"] == NAME
    assert {r["rating"] for r in tables["scorecard_ratings"]} == {3, None}
    assert any(MARKER in r["evidence"].lower() for r in tables["scorecard_ratings"])
    assert tables["interviews"][0]["location"] == "Quokkafrost's home office link"
    assert tables["outbox_mail"] and {m["recipient"] for m in tables["outbox_mail"]} == {EMAIL}
    assert "calendar_pushes" not in tables and "ip" not in tables["audit_events"][0]
    assert [d["kind"] for d in tables["decisions"]] == ["offer", "reject"]
    assert db_session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "candidate_exported")) == 1
    assert "name" not in next(iter(db_session.scalars(select(AuditEvent).where(
        AuditEvent.action == "candidate_exported")))).detail


def test_replacements_in_a_folded_escaped_icalendar_line():
    long = "Zed Quokkafrost, Senior" + "x" * 60
    ics = "BEGIN:VCALENDAR\r\nSUMMARY:" + long.replace(",", "\\,") + "\r\nEND:VCALENDAR\r\n"
    folded = ics.replace("Quokka", "Quokka\r\n ", 1)
    out = Replacements.of([("Zed Quokkafrost, Senior", "Someone")]).in_text(folded)
    assert "SUMMARY:Someone" + "x" * 60 in out.replace("\r\n ", "")
    assert "quokka" not in out.lower()


# --- retention ---------------------------------------------------------------------------------

def _aged(session, candidate, days: int, status: CandidateStatus) -> None:
    session.execute(update(Candidate).where(Candidate.id == candidate.id).values(
        status=status, updated_at=utcnow() - timedelta(days=days)))


@pytest.fixture
def aged(db_session, make_user):
    """Candidates rejected 40 and 10 days ago, withdrawn 40 days ago, active for long."""
    manager, recruiter = make_user("hiring_manager"), make_user("recruiter")
    requisition = make_requisition(db_session, manager, recruiter)
    made = {label: make_candidate(db_session, requisition, recruiter, n)
            for n, label in enumerate(("old_reject", "new_reject", "old_withdrawn", "active"), 1)}
    _aged(db_session, made["old_reject"], 40, CandidateStatus.REJECTED)
    _aged(db_session, made["new_reject"], 10, CandidateStatus.REJECTED)
    _aged(db_session, made["old_withdrawn"], 40, CandidateStatus.WITHDRAWN)
    _aged(db_session, made["active"], 400, CandidateStatus.ACTIVE)
    rule = retention.create_rule(db_session, Actor(make_user("admin")), retention.RuleInput(
        name="Rejected after 30 days", outcomes=["rejected"], after_days=30))
    db_session.flush()
    db_session.expire_all()
    return made, rule


def test_retention_preview_is_what_apply_erases_and_dry_run_changes_nothing(app, db_session,
                                                                             aged):
    made, rule = aged
    shown = retention.preview(db_session, rule)
    assert (shown.count, shown.held_back) == (1, 0)
    assert [c.id for c in shown.page.items] == [made["old_reject"].id]

    runner = app.test_cli_runner()
    dry = runner.invoke(args=["apply-retention", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"would erase 1 candidate(s): #{made['old_reject'].id}." in dry.output
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(CandidateErasure)) == 0
    assert db_session.get(Candidate, made["old_reject"].id).name == "Candidate 1"

    done = runner.invoke(args=["apply-retention"])
    assert done.exit_code == 0, done.output
    db_session.expire_all()
    erased = set(db_session.scalars(select(CandidateErasure.candidate_id)))
    assert erased == {c.id for c in shown.page.items}
    assert db_session.get(Candidate, made["old_reject"].id).name.startswith("Erased candidate")
    assert retention.preview(db_session, rule).count == 0
    assert "erased 0 candidate(s)" in runner.invoke(args=["apply-retention"]).output


def test_retention_covers_the_outcomes_chosen_and_skips_disabled_rules(db_session, make_user,
                                                                       aged):
    made, rule = aged
    retention.update_rule(db_session, Actor(make_user("admin")), rule, retention.RuleInput(
        name=rule.name, outcomes=["rejected", "withdrawn"], after_days=30, enabled=False),
        seen_version=rule.version)
    assert {c.id for c in retention.preview(db_session, rule).page.items} == {
        made["old_reject"].id, made["old_withdrawn"].id}
    assert retention.apply_retention(lambda: _nested(db_session)) == []


class _nested:
    """A savepoint of the test's session, as ``transaction()``."""

    def __init__(self, session) -> None:
        self.session = session

    def __enter__(self):
        self.tx = self.session.begin_nested()
        return self.session

    def __exit__(self, *exc) -> None:
        self.tx.commit() if exc[0] is None else self.tx.rollback()


@pytest.mark.parametrize(("values", "field"), [
    ({"outcomes": []}, "outcomes"), ({"outcomes": ["hired"]}, "outcomes"),
    ({"after_days": 0}, "after_days"), ({"after_days": None}, "after_days"),
    ({"name": " "}, "name"), ({"name": "Rejected after 30 days"}, "name")])
def test_a_bad_rule_is_refused(db_session, make_user, aged, values, field):
    data = {"name": "Another", "outcomes": ["rejected"], "after_days": 30, **values}
    with pytest.raises(retention.InvalidRule) as refused:
        retention.create_rule(db_session, Actor(make_user("admin")), retention.RuleInput(**data))
    assert refused.value.field == field


def test_scorecards_of_erased_candidates_still_count(db_session, make_user, marked):
    count = db_session.scalar(select(func.count()).select_from(Scorecard).where(
        Scorecard.candidate_id == marked.candidate.id))
    service.erase_candidate(db_session, Actor(make_user("admin")), marked.candidate, "Asked.")
    assert db_session.scalar(select(func.count()).select_from(Scorecard).where(
        Scorecard.candidate_id == marked.candidate.id)) == count == 1


def test_an_erased_candidate_is_not_scheduled_again(db_session, make_user, marked):
    """Even with their status put back to active (by a path that forgets the erasure), a
    booking for an erased candidate is refused, in words, before any invite is written."""
    service.erase_candidate(db_session, Actor(make_user("admin")), marked.candidate, "Asked.")
    db_session.execute(update(Candidate).where(Candidate.id == marked.candidate.id)
                       .values(status=CandidateStatus.ACTIVE))
    candidate = marked.candidate
    assert candidate.in_process
    requisition = get_requisition(db_session, marked.recruiter, marked.requisition.id)
    stage = loops.loop_for(db_session, candidate).stages[1]
    booking = scheduling.check_booking(
        db_session, Actor(marked.recruiter), requisition, candidate,
        scheduling.ScheduleInput([marked.interviewer.id], utcnow() + timedelta(days=3),
                                 stage.minutes), stage=stage)
    assert booking.refusals == [
        "This candidate's personal data was erased; they are not scheduled again."]
    assert "erased" not in " ".join(scheduling.check_booking(
        db_session, Actor(marked.recruiter), requisition, marked.other,
        scheduling.ScheduleInput([marked.interviewer.id], utcnow() + timedelta(days=3),
                                 stage.minutes)).refusals)
