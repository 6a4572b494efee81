"""A candidate's private link, their windows and their itinerary (issue 10): the link opens
only while in force (expired, revoked, replaced, forged: 404), windows round-trip across
time zones and a DST change, bad input is a form error with the input kept, candidate pages
and emails carry nothing internal, and the pages' queries stay constant."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from html import unescape
from types import SimpleNamespace

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from interviewloop.audit.service import Actor
from interviewloop.availability import service
from interviewloop.availability.models import CandidateLink, CandidateWindow
from interviewloop.db import utcnow
from interviewloop.outbox.models import OutboxMail
from interviewloop.requisitions import candidates
from interviewloop.tokens import LinkSigner
from tests import factories
from tests.conftest import post
from tests.test_query_counts import queries_for
from tests.test_rate_limits import limited_app

SIGNER = LinkSigner("test-secret")  # the test app's SECRET_KEY (conftest.app_config)


@pytest.fixture
def w(db_session, make_user, app, login):
    """A recruiter in Berlin and a candidate in New York with a link in force."""
    manager = make_user("hiring_manager")
    recruiter = make_user("recruiter", time_zone="Europe/Berlin")
    req = factories.make_requisition(db_session, manager, recruiter, title="Staff ML Engineer")
    candidate = factories.make_candidate(db_session, req, recruiter)
    candidate.time_zone = "America/New_York"
    link = service.create_link(db_session, Actor(recruiter), req, candidate, days=30)
    db_session.flush()
    token = service.link_token(SIGNER, link)
    return SimpleNamespace(session=db_session, manager=manager, recruiter=recruiter, req=req,
                           candidate=candidate, link=link, token=token, page=f"/candidate/{token}",
                           anon=app.test_client(), app=app, login=login, make_user=make_user)


def text_of(response) -> str:
    return unescape(response.get_data(as_text=True))


def loop_url(w) -> str:
    return f"/requisitions/{w.req.id}/candidates/{w.candidate.id}"


# --- the link ----------------------------------------------------------------------------------

def _expire(w):
    past = utcnow() - timedelta(days=40)
    w.session.execute(update(CandidateLink).where(CandidateLink.id == w.link.id).values(
        created_at=past, expires_at=utcnow() - timedelta(seconds=1)))
    return w.token


def _revoke(w):
    service.revoke_link(w.session, Actor(w.recruiter), w.req, w.candidate)
    return w.token


def _replace(w):
    service.create_link(w.session, Actor(w.recruiter), w.req, w.candidate, days=30)
    return w.token


def _withdraw(w):
    candidates.withdraw_candidate(w.session, Actor(w.recruiter), w.req, w.candidate)
    return w.token


BROKEN_LINKS = {
    "expired": _expire,
    "revoked": _revoke,
    "replaced by a new one": _replace,
    "candidate withdrawn": _withdraw,
    "forged signature": lambda w: w.token[:-3] + ("AAA" if not w.token.endswith("AAA") else "BBB"),
    "signed with another key": lambda w: service.link_token(LinkSigner("not-ours"), w.link),
    "another purpose": lambda w: SIGNER.sign("rsvp", {"l": w.link.id, "n": w.link.nonce}),
    "right id, wrong nonce": lambda w: SIGNER.sign(service.PURPOSE,
                                                   {"l": w.link.id, "n": "x" * 32}),
    "not a token": lambda w: "nothing-here",
}


@pytest.mark.parametrize("breaking", BROKEN_LINKS.values(), ids=BROKEN_LINKS.keys())
def test_a_link_not_in_force_is_404_everywhere(w, breaking):
    assert w.anon.get(w.page).status_code == 200
    token = breaking(w)
    w.session.flush()
    for response in (w.anon.get(f"/candidate/{token}"),
                     w.anon.get(f"/candidate/{token}/itinerary"),
                     post(w.anon, f"/candidate/{token}/windows",
                          {"starts_at": "2027-03-01T09:00", "ends_at": "2027-03-01T12:00"})):
        assert response.status_code == 404
        assert w.candidate.name not in text_of(response)
    assert service.candidate_windows(w.session, w.candidate.id) == []


def test_the_recruiter_makes_emails_and_revokes_the_link_from_the_loop_page(w):
    client = w.login(w.recruiter)
    page = text_of(client.get(loop_url(w)))
    shown = re.search(r'value="(http://[^"]+/candidate/([^"]+))"', page)
    assert shown and "emailed" not in page
    assert w.anon.get(f"/candidate/{shown.group(2)}").status_code == 200

    assert post(client, loop_url(w) + "/link/email").status_code == 302
    mail = w.session.scalar(select(OutboxMail).where(OutboxMail.recipient == w.candidate.email))
    assert mail is not None
    mailed = re.search(r"http://\S+/candidate/(\S+)", mail.body)
    assert mailed and w.anon.get(f"/candidate/{mailed.group(1)}").status_code == 200
    assert "works until" in mail.body and "America/New_York" in mail.body
    assert "emailed" in text_of(client.get(loop_url(w)))

    assert post(client, loop_url(w) + "/link").status_code == 302  # a new one
    new = re.search(r'value="http://[^"]+/candidate/([^"]+)"', text_of(client.get(loop_url(w))))
    assert new and new.group(1) != shown.group(2)
    assert w.anon.get(f"/candidate/{shown.group(2)}").status_code == 404
    assert w.anon.get(f"/candidate/{new.group(1)}").status_code == 200

    assert post(client, loop_url(w) + "/link/revoke").status_code == 302
    assert w.anon.get(f"/candidate/{new.group(1)}").status_code == 404
    assert "No private link yet" in text_of(client.get(loop_url(w)))
    assert post(client, loop_url(w) + "/link/revoke").status_code == 409  # nothing to revoke
    assert post(client, loop_url(w) + "/itinerary/email").status_code == 409  # nothing booked


def test_the_candidate_pages_are_rate_limited_per_address(w, connection):
    app = limited_app(connection, RATELIMIT_CANDIDATE_LINK="3 per minute")
    client = app.test_client()
    statuses = [client.get(url).status_code
                for url in (w.page, w.page + "/itinerary", "/candidate/forged", w.page)]
    assert statuses == [200, 200, 404, 429]
    assert app.test_client().get(w.page, environ_base={"REMOTE_ADDR": "10.0.0.9"}
                                 ).status_code == 200


# --- windows -----------------------------------------------------------------------------------

def add(w, starts: str, ends: str):
    return post(w.anon, w.page + "/windows", {"starts_at": starts, "ends_at": ends})


def us_spring_forward() -> date:
    """The next day New York's clocks go forward (the second Sunday of March) at least a
    few days away: EST (UTC-5) becomes EDT (UTC-4). Berlin's go forward on the last Sunday
    of March, later."""
    today = utcnow().date()
    for year in (today.year, today.year + 1):
        first = date(year, 3, 1)
        second_sunday = first + timedelta(days=(6 - first.weekday()) % 7 + 7)
        if second_sunday - timedelta(days=3) > today:
            return second_sunday
    raise AssertionError("unreachable")


def day(d: date) -> str:
    return f"{d:%a} {d.day} {d:%b %Y}"


def test_windows_round_trip_across_zones_and_a_dst_change(w):
    """The candidate in New York gives a window before, across and after the clocks go
    forward; Berlin's have not changed yet, so the recruiter sees the mornings an hour
    apart."""
    sunday = us_spring_forward()
    friday, monday = sunday - timedelta(days=2), sunday + timedelta(days=1)
    assert post(w.anon, w.page + "/time-zone", {"time_zone": "Asia/Tokyo"}).status_code == 302
    assert post(w.anon, w.page + "/time-zone",
                {"time_zone": "America/New_York"}).status_code == 302
    for d, starts, ends in [(friday, "09:00", "12:00"), (sunday, "01:00", "04:00"),
                            (monday, "09:00", "12:00")]:
        assert add(w, f"{d}T{starts}", f"{d}T{ends}").status_code == 302

    def at(d: date, hour: int) -> datetime:
        return datetime(d.year, d.month, d.day, hour, tzinfo=UTC)

    assert service.candidate_windows(w.session, w.candidate.id) == [
        (at(friday, 14), at(friday, 17)), (at(sunday, 6), at(sunday, 8)),  # 2 hours, not 3
        (at(monday, 13), at(monday, 16))]
    mine = text_of(w.anon.get(w.page))
    assert f"{day(friday)}, 09:00 EST to 12:00 EST" in mine
    assert f"{day(sunday)}, 01:00 EST to 04:00 EDT" in mine
    assert f"{day(monday)}, 09:00 EDT to 12:00 EDT" in mine
    theirs = text_of(w.login(w.recruiter).get(loop_url(w)))
    assert f"{day(friday)}, 15:00 CET to 18:00 CET" in theirs
    assert f"{day(monday)}, 14:00 CET to 17:00 CET" in theirs
    assert f"(theirs: {day(monday)}, 09:00 EDT to 12:00 EDT)" in theirs
    skipped = add(w, f"{sunday}T02:30", f"{sunday}T05:00")
    assert skipped.status_code == 422 and "does not exist" in text_of(skipped)
    # Removing one is the candidate's own: another candidate's window id is not found.
    first = w.session.scalars(select(CandidateWindow.id).where(
        CandidateWindow.candidate_id == w.candidate.id).order_by(CandidateWindow.starts_at)).first()
    assert post(w.anon, f"{w.page}/windows/{first}/remove").status_code == 302
    assert post(w.anon, f"{w.page}/windows/{first}/remove").status_code == 404
    assert len(service.candidate_windows(w.session, w.candidate.id)) == 2


def _future(days: int, clock: str) -> str:
    return f"{(utcnow() + timedelta(days=days)):%Y-%m-%d}T{clock}"


BAD_WINDOWS = {  # (starts, ends, what the error says): the candidate is in New York
    "end before start": (_future(3, "12:00"), _future(3, "09:00"), "The end must be after"),
    "end at start": (_future(3, "12:00"), _future(3, "12:00"), "The end must be after"),
    "in the past": ("2026-01-05T09:00", "2026-01-05T12:00", "in the past"),
    "too long": (_future(3, "06:00"), _future(3, "19:00"), "at most 12 hours"),
    "too short": (_future(3, "09:00"), _future(3, "09:10"), "at least 15 minutes"),
    "over a year ahead": (_future(400, "09:00"), _future(400, "12:00"), "within the next 365"),
    "overlapping": (_future(5, "11:00"), _future(5, "13:00"), "overlaps a window"),
    "malformed": ("next tuesday", _future(3, "12:00"), "From: Not a valid"),
    "missing end": (_future(3, "09:00"), "", "available until"),
    "the end of time": ("9999-12-31T20:00", "9999-12-31T23:30", "outside the calendar"),
}


@pytest.mark.parametrize(("starts", "ends", "says"), BAD_WINDOWS.values(), ids=BAD_WINDOWS.keys())
def test_bad_windows_are_form_errors_with_the_input_kept(w, starts, ends, says):
    assert add(w, _future(5, "10:00"), _future(5, "12:00")).status_code == 302
    response = add(w, starts, ends)
    body = text_of(response)
    assert response.status_code == 422
    assert says in body and 'id="error-summary"' in body
    assert f'value="{starts}"' in body and (not ends or f'value="{ends}"' in body)
    assert len(service.candidate_windows(w.session, w.candidate.id)) == 1


def test_an_unknown_time_zone_is_a_form_error_with_the_input_kept(w):
    response = post(w.anon, w.page + "/time-zone", {"time_zone": "Mars/Olympus_Mons"})
    assert response.status_code == 422
    assert 'value="Mars/Olympus_Mons"' in text_of(response) and "Choose a time zone" in \
        text_of(response)
    w.session.refresh(w.candidate)
    assert w.candidate.time_zone == "America/New_York"


def bulk_windows(w, count: int, start_day: int = 1) -> None:
    base = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(days=start_day)
    w.session.execute(insert(CandidateWindow), [
        {"candidate_id": w.candidate.id, "starts_at": base + timedelta(hours=3 * n),
         "ends_at": base + timedelta(hours=3 * n + 2), "created_at": utcnow()}
        for n in range(count)])
    w.session.flush()


def test_the_cap_on_windows_holds_and_old_ones_make_room(w):
    opened = service.open_link(w.session, SIGNER, w.token)
    bulk_windows(w, 50)
    starts = (utcnow() + timedelta(days=200)).replace(tzinfo=None, hour=9, minute=0)
    with pytest.raises(service.WindowRefused, match="50 windows, the most"):
        service.add_window(w.session, opened, starts, starts + timedelta(hours=1))
    # Ten of them are over by the time of the next one: dropped, which makes room.
    later = utcnow() + timedelta(days=1, hours=30)
    service.add_window(w.session, opened, starts, starts + timedelta(hours=1), now=later)
    assert len(service.windows_of(w.session, w.candidate.id, later)) == 41
    assert w.session.scalar(select(func.count()).select_from(CandidateWindow)) == 41  # gone


def test_candidate_windows_are_sorted_and_merged(w):
    at = datetime(2027, 2, 1, 9, tzinfo=UTC)
    hours = [(5, 6), (0, 2), (1, 3), (3, 4), (8, 9)]  # overlapping, touching, apart
    w.session.execute(insert(CandidateWindow), [
        {"candidate_id": w.candidate.id, "starts_at": at + timedelta(hours=a),
         "ends_at": at + timedelta(hours=b), "created_at": utcnow()} for a, b in hours])
    got = service.candidate_windows(w.session, w.candidate.id)
    assert got == [(at, at + timedelta(hours=4)), (at + timedelta(hours=5), at + timedelta(hours=6)),
                   (at + timedelta(hours=8), at + timedelta(hours=9))]
    assert all(a.tzinfo is not None for a, _b in got)


def test_the_database_refuses_a_window_that_ends_before_it_starts(w):
    at = utcnow() + timedelta(days=2)
    with pytest.raises(IntegrityError, match="ends_after_start"), w.session.begin_nested():
        w.session.execute(insert(CandidateWindow).values(
            candidate_id=w.candidate.id, starts_at=at, ends_at=at, created_at=at))


# --- the itinerary: only what a candidate may see ----------------------------------------------

@pytest.fixture
def booked(w, request):
    """A loop from the real bank; a held interview with a scorecard full of notes, two
    interviews to come; internal notes on the candidate."""
    request.getfixturevalue("bank")
    s = w.session
    alice = w.make_user("interviewer", name="Alice Archer", email="alice.private@example.com")
    alice.job_title = "Staff ML Engineer"
    bob = w.make_user("interviewer", name="Bob Brown", email="bob.private@example.com")
    factories.add_to_team(s, w.req, w.manager, alice, bob)
    from interviewloop.loops import service as loops

    loops.build_loop(s, Actor(w.recruiter), w.req, w.candidate, seed=1)
    loop = loops.loop_for(s, w.candidate)
    w.candidate.notes = "INTERNAL: expects a counter-offer"
    held = factories.past_interview(s, w.req, w.recruiter, w.candidate, loop.stages[0], [alice])
    factories.write_scorecard(s, alice, w.req, held, notes="SECRET question note",
                              summary="SECRET scorecard summary", evidence="SECRET evidence")
    monday = factories.next_monday(weeks_ahead=2, hour=15)
    factories.make_interview(s, w.req, w.recruiter, w.candidate, loop.stages[1], [alice, bob],
                             monday, location="https://video.example/room-42")
    factories.make_interview(s, w.req, w.recruiter, w.candidate, loop.stages[2], [bob],
                             monday + timedelta(days=1), location="Room 4, second floor")
    s.flush()
    from interviewloop.bank.models import LevelExpectation, QuestionPoint

    question_ids = [lq.question_id for st in loop.stages for lq in st.questions]
    internal = {"notes": w.candidate.notes, "emails": [alice.email, bob.email],
                "titles": [lq.question.title for st in loop.stages for lq in st.questions],
                "rubric": [*s.scalars(select(QuestionPoint.text).where(
                    QuestionPoint.question_id.in_(question_ids))),
                    *s.scalars(select(LevelExpectation.text))],
                "prompts": [lq.question.prompt[:60] for st in loop.stages for lq in st.questions],
                "scorecard": ["SECRET question note", "SECRET scorecard summary",
                              "SECRET evidence"],
                "links": ["/interviews/", "/kit", "/scorecard", "/debrief"],
                "status": ["needs_action", "no answer", "accepted", "hire"]}
    return SimpleNamespace(alice=alice, bob=bob, loop=loop, monday=monday, internal=internal)


def _leaks(text: str, internal: dict) -> list[str]:
    return [item for items in internal.values()
            for item in (items if isinstance(items, list) else [items]) if item in text]


def test_candidate_pages_and_emails_carry_nothing_internal(w, booked):
    client = w.login(w.recruiter)
    assert post(client, loop_url(w) + "/link/email").status_code == 302
    assert post(client, loop_url(w) + "/itinerary/email").status_code == 302
    mails = w.session.scalars(select(OutboxMail).where(
        OutboxMail.recipient == w.candidate.email, OutboxMail.calendar.is_(None))).all()
    assert len(mails) == 2
    itinerary = text_of(w.anon.get(w.page + "/itinerary"))
    pages = [text_of(w.anon.get(w.page)), itinerary]
    for text in [*pages, *(m.body + m.subject for m in mails)]:
        assert _leaks(text, booked.internal) == []
    assert booked.internal["titles"] and booked.internal["rubric"]  # there was something to leak
    # What a candidate may see is all there: times in their zone, place, names and titles.
    email = next(m.body for m in mails if "itinerary" in m.subject)
    stage = booked.loop.stages[1].name
    local = booked.monday.astimezone(__import__("zoneinfo").ZoneInfo("America/New_York"))
    for text in (itinerary, email):
        assert stage in text and booked.loop.stages[0].name in text
        assert f"{local:%H:%M} {local.tzname()}" in text
        assert "https://video.example/room-42" in text and "Room 4, second floor" in text
        assert "Alice Archer (Staff ML Engineer)" in text and "Bob Brown" in text
    assert re.search(r"/candidate/\S+/itinerary", email)
    # Sent again unchanged, it is not queued twice; a change makes a new one.
    assert post(client, loop_url(w) + "/itinerary/email").status_code == 302
    assert w.session.scalar(select(OutboxMail.id).where(
        OutboxMail.subject.contains("itinerary")).offset(1)) is None


# --- query counts -------------------------------------------------------------------------------

def test_the_candidate_pages_and_the_loop_page_make_constant_queries(w, booked, count_queries):
    recruiter = w.login(w.recruiter)
    urls = [(w.anon, w.page), (w.anon, w.page + "/itinerary"), (recruiter, loop_url(w))]
    few = [queries_for(client, count_queries, url) for client, url in urls]
    bulk_windows(w, 49)
    others = [w.make_user("interviewer") for _ in range(3)]
    factories.add_to_team(w.session, w.req, w.manager, *others)
    for n, stage in enumerate(booked.loop.stages[3:], 2):
        factories.make_interview(w.session, w.req, w.recruiter, w.candidate, stage, others,
                                 booked.monday + timedelta(days=n))
    w.session.flush()
    assert len(service.itinerary(w.session, w.candidate.id)) >= 4
    many = [queries_for(client, count_queries, url) for client, url in urls]
    assert few == many
    assert few[0] <= 3 and few[1] <= 4  # the link (one query), its windows or interviews


def test_people_set_the_job_title_candidates_see(w):
    client = w.login(w.recruiter)
    saved = post(client, "/account", {"time_zone": "Europe/Berlin", "job_title": "  Talent   Partner "})
    assert saved.status_code == 302
    w.session.refresh(w.recruiter)
    assert w.recruiter.job_title == "Talent Partner"
    refused = post(client, "/account", {"time_zone": "Europe/Berlin", "job_title": "x" * 121})
    assert refused.status_code == 422 and 'value="' + "x" * 121 in text_of(refused)
    w.session.refresh(w.recruiter)
    assert w.recruiter.job_title == "Talent Partner"
    from interviewloop.auth import service as accounts

    with pytest.raises(accounts.InvalidUser, match="at most 120"):  # not only the form's rule
        accounts.update_settings(w.session, Actor(w.recruiter), w.recruiter, time_zone="UTC",
                                 weekly_interview_cap=None, job_title="y" * 121)


def test_an_admin_sets_the_job_title_candidates_see(w):
    """On the admin's user form, new and edited: tidied, too long refused with the input
    kept, and changes audited."""
    from interviewloop.audit.models import AuditEvent
    from interviewloop.auth.models import User

    admin = w.login(w.make_user("admin"))
    created = post(admin, "/admin/users/new", {
        "email": "nia@example.com", "name": "Nia New", "roles": ["interviewer"],
        "time_zone": "UTC", "password": "a long enough passphrase 42",
        "job_title": " Senior   ML Engineer "})
    assert created.status_code == 302
    nia = w.session.scalar(select(User).where(User.email == "nia@example.com"))
    assert nia.job_title == "Senior ML Engineer"
    form = {"name": "Nia New", "roles": ["interviewer"], "time_zone": "UTC"}
    refused = post(admin, f"/admin/users/{nia.id}", {**form, "job_title": "z" * 121})
    assert refused.status_code == 422 and 'value="' + "z" * 121 in text_of(refused)
    assert post(admin, f"/admin/users/{nia.id}", {**form, "job_title": "Staff ML Engineer"}
                ).status_code == 302
    w.session.expire_all()
    assert w.session.get(User, nia.id).job_title == "Staff ML Engineer"
    [change] = [e.detail["changes"] for e in w.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "user_updated"))]
    assert change == {"job_title": ["Senior ML Engineer", "Staff ML Engineer"]}
    assert "Staff ML Engineer" in text_of(admin.get(f"/admin/users/{nia.id}"))
