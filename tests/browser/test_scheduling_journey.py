"""The scheduling journey through the real pages in Chromium, at the run's width: a
recruiter in New York books a loop's stages on the board (refused on a clash, allowed back
to back), reschedules one and reads its history; an interviewer in Kolkata finds both
interviews on their home page in their own time, opens the interview kit and downloads the
calendar invites."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from interviewloop.audit.service import SYSTEM, Actor
from interviewloop.auth.login import hasher
from interviewloop.auth.service import create_user
from interviewloop.bank.models import Question
from interviewloop.loops import service as loops
from interviewloop.requisitions import candidates
from interviewloop.scheduling.models import Interview
from tests.browser.conftest import WIDTHS, Person
from tests.browser.helpers import at_phone_width, flash, guide_shot, log_in, watch_console
from tests.factories import add_to_team, make_interview, make_requisition, next_monday

pytestmark = pytest.mark.browser

# This journey's own people, so that it shares nothing with the other journeys' users.
MANAGER = Person("hana.hollis@example.com", "Hana Hollis")
RECRUITER = Person("nora.newyork@example.com", "Nora Newyork")
KOLKATA = Person("kavya.iyer@example.com", "Kavya Iyer")
BERLIN = Person("bastian.weber@example.com", "Bastian Weber")
NEW_YORK_TZ, KOLKATA_TZ, BERLIN_TZ = "America/New_York", "Asia/Kolkata", "Europe/Berlin"
CANDIDATE_A = ("Aisha Khan", "aisha.khan@example.net")
CANDIDATE_B = ("Bruno Silva", "bruno.silva@example.net")
TITLE = "Senior AI Engineer, Scheduling"
LOCATION = "Video: https://meet.example.com/loop-aisha"
REASON = "Aisha asked to move it to Tuesday."


@dataclass(frozen=True)
class Kit:
    title: str
    signals: list[str]
    red_flags: list[str]


@dataclass(frozen=True)
class Seeded:
    requisition_id: int
    stages: list[tuple[str, int]]  # candidate A's stages: (name, minutes), in order
    kit: list[Kit]  # the questions of A's first stage, in order
    clash_at: datetime  # B's interview with the Kolkata interviewer, in UTC
    clash_minutes: int


@pytest.fixture(scope="module")
def seeded(live_server, width) -> Seeded:
    """A senior requisition with both interviewers on its team, two candidates with built
    loops, and B's first stage booked with the Kolkata interviewer: committed, through the
    services."""
    with live_server.session() as session:
        people = {person: create_user(session, SYSTEM, hasher(), email=person.at(width).email,
                                      name=person.name, password=live_server.password,
                                      roles=(role,), time_zone=zone)
                  for person, role, zone in ((MANAGER, "hiring_manager", "UTC"),
                                             (RECRUITER, "recruiter", NEW_YORK_TZ),
                                             (KOLKATA, "interviewer", KOLKATA_TZ),
                                             (BERLIN, "interviewer", BERLIN_TZ))}
        manager, recruiter = people[MANAGER], people[RECRUITER]
        requisition = make_requisition(session, manager, recruiter, title=TITLE)
        add_to_team(session, requisition, manager, people[KOLKATA], people[BERLIN])
        built = []
        for name, email in (CANDIDATE_A, CANDIDATE_B):
            candidate = candidates.add_candidate(
                session, Actor(recruiter), requisition,
                candidates.CandidateInput(name=name, email=email, source="Referral"))
            loops.build_loop(session, Actor(recruiter), requisition, candidate, seed=1)
            built.append((candidate, loops.loop_for(session, candidate)))
        (_a, loop_a), (candidate_b, loop_b) = built
        clash_at = next_monday(weeks_ahead=2, hour=14)
        first_b = loop_b.stages[0]
        make_interview(session, requisition, recruiter, candidate_b, first_b,
                       [people[KOLKATA]], clash_at, minutes=60)
        stage = loop_a.stages[0]
        ids = [lq.question_id for lq in stage.questions]
        questions = {q.id: q for q in session.scalars(
            select(Question).where(Question.id.in_(ids)).options(selectinload(Question.points)))}
        kit = [Kit(questions[i].title, questions[i].signals, questions[i].red_flags) for i in ids]
        return Seeded(requisition.id, [(s.name, s.minutes) for s in loop_a.stages[:2]], kit,
                      clash_at, 60)


def shown(moment: datetime, zone: str, *, with_date: bool = True) -> str:
    """How the pages should show ``moment`` to someone in ``zone``, computed here with
    zoneinfo: 'Mon 3 Aug 2026, 19:30 IST (Asia/Kolkata)'."""
    local = moment.astimezone(ZoneInfo(zone))
    clock = f"{local:%H:%M} {local.tzname()} ({zone})"
    return f"{local:%a} {local.day} {local:%b %Y}, {clock}" if with_date else clock


def typed(moment: datetime, zone: str) -> str:
    """What a person in ``zone`` types into a datetime-local input for ``moment``."""
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


def board_cell(page: Page, candidate: str, stage: str):
    row = page.locator("#board tbody tr", has=page.get_by_role("link", name=candidate))
    return row.locator(".cell", has=page.locator("strong", has_text=stage))


def fill_booking(page: Page, interviewers: list[str], starts: datetime, **fields: str) -> None:
    for name in (KOLKATA.name, BERLIN.name):
        page.get_by_label(name, exact=True).set_checked(name in interviewers)
    page.get_by_label("Starts (your time zone)").fill(typed(starts, NEW_YORK_TZ))
    for label, value in fields.items():
        page.get_by_label(label).fill(value)


def press(page: Page, button: str, path: str, status: int) -> None:
    """Click ``button`` and check the status of the POST it sends to ``path``."""
    with page.expect_response(lambda r: urlsplit(r.url).path == path
                              and r.request.method == "POST") as response:
        page.get_by_role("button", name=button, exact=True).click()
    assert response.value.status == status


def interview_id(page: Page) -> int:
    expect(page).to_have_url(re.compile(r"/interviews/\d+$"))
    return int(urlsplit(page.url).path.rsplit("/", 1)[1])


def download_invite(page: Page, item) -> tuple[str, object]:
    with page.expect_download() as info:
        item.get_by_role("link", name="Invite").click()
    download = info.value
    with open(download.path(), "rb") as file:
        calendar = Calendar.from_ical(file.read())
    events = [c for c in calendar.walk() if c.name == "VEVENT"]
    assert len(events) == 1
    return download.suggested_filename, events[0]


def test_recruiter_schedules_and_interviewer_sees_it_in_their_time(
        live_server, seeded, new_context, artifacts, width):
    (first, first_minutes), (second, second_minutes) = seeded.stages
    clash_start = seeded.clash_at
    clash_end = clash_start + timedelta(minutes=seeded.clash_minutes)
    board_path = f"/requisitions/{seeded.requisition_id}/board"
    errors: list[str] = []
    expected: dict[tuple[str, int], int] = {}
    rec = watch_console(new_context(**WIDTHS[width]).new_page(), errors, expected)

    # 1. The recruiter opens the requisition's board and schedules A's first stage.
    log_in(rec, RECRUITER.at(width), live_server.password)
    rec.goto(f"/requisitions/{seeded.requisition_id}")
    rec.get_by_role("link", name="Scheduling board").click()
    expect(rec).to_have_url(live_server.url + board_path)
    expect(board_cell(rec, CANDIDATE_B[0], first).locator("a")).to_have_text(
        shown(clash_start, NEW_YORK_TZ))
    board_cell(rec, CANDIDATE_A[0], first).get_by_role("link", name="Schedule").click()
    schedule_path = urlsplit(rec.url).path
    assert re.fullmatch(r"/requisitions/\d+/candidates/\d+/stages/\d+/schedule", schedule_path)
    expect(rec.get_by_role("heading", level=1)).to_have_text(f"Schedule: {first}")
    expect(rec.locator("p.meta").first).to_contain_text(f"times in {NEW_YORK_TZ}")
    expect(rec.get_by_label("Minutes")).to_have_value(str(first_minutes))

    # Half an hour into B's interview with the Kolkata interviewer: refused, input kept.
    overlapping = clash_start + timedelta(minutes=30)
    fill_booking(rec, [KOLKATA.name], overlapping, **{"Location or video link": LOCATION})
    expected[schedule_path, 409] = 0
    press(rec, "Schedule", schedule_path, 409)
    expect(rec.locator(".errors[role=alert] p")).to_have_text([
        f"{KOLKATA.name} is already interviewing from {shown(clash_start, NEW_YORK_TZ)} to "
        f"{shown(clash_end, NEW_YORK_TZ, with_date=False)}."])
    expect(rec.get_by_label("Starts (your time zone)")).to_have_value(
        typed(overlapping, NEW_YORK_TZ))
    expect(rec.get_by_label(KOLKATA.name, exact=True)).to_be_checked()
    expect(rec.get_by_label(BERLIN.name, exact=True)).not_to_be_checked()
    expect(rec.get_by_label("Minutes")).to_have_value(str(first_minutes))
    expect(rec.get_by_label("Location or video link")).to_have_value(LOCATION)
    # The start box is styled like the other inputs: about as tall as Minutes, level with it.
    start_box = rec.get_by_label("Starts (your time zone)").bounding_box()
    minutes_box = rec.get_by_label("Minutes").bounding_box()
    assert abs(start_box["height"] - minutes_box["height"]) <= 3, (start_box, minutes_box)
    assert abs(start_box["y"] - minutes_box["y"]) <= 3, (start_box, minutes_box)

    # Ending exactly when B's interview begins is back to back, and allowed.
    first_start = clash_start - timedelta(minutes=first_minutes)
    first_end = clash_start
    rec.get_by_label("Starts (your time zone)").fill(typed(first_start, NEW_YORK_TZ))
    press(rec, "Schedule", schedule_path, 302)
    first_id = interview_id(rec)
    expect(flash(rec)).to_have_text(f"Scheduled {first}.")
    expect(rec.locator("#when")).to_have_text(
        f"{shown(first_start, NEW_YORK_TZ)} to {shown(first_end, NEW_YORK_TZ, with_date=False)}")
    assert re.search(r"\d\d:\d\d E[SD]T \(America/New_York\)", rec.locator("#when").inner_text())

    # 2. A's second stage, with both interviewers; then it moves to the next day.
    rec.get_by_role("link", name="Scheduling board").click()
    board_cell(rec, CANDIDATE_A[0], second).get_by_role("link", name="Schedule").click()
    booked = clash_start + timedelta(hours=2)
    fill_booking(rec, [KOLKATA.name, BERLIN.name], booked)
    press(rec, "Schedule", urlsplit(rec.url).path, 302)
    second_id = interview_id(rec)
    rec.get_by_role("link", name="Reschedule").click()
    reschedule_path = f"/interviews/{second_id}/reschedule"
    expect(rec).to_have_url(live_server.url + reschedule_path)
    expect(rec.get_by_label("Starts (your time zone)")).to_have_value(typed(booked, NEW_YORK_TZ))
    expect(rec.get_by_label(BERLIN.name, exact=True)).to_be_checked()
    moved = booked + timedelta(days=1)
    moved_end = moved + timedelta(minutes=second_minutes)
    fill_booking(rec, [KOLKATA.name, BERLIN.name], moved, **{"Reason for the change": REASON})
    press(rec, "Reschedule", reschedule_path, 302)
    expect(rec).to_have_url(live_server.url + f"/interviews/{second_id}")
    expect(flash(rec)).to_have_text("Interview rescheduled; the invite's sequence went up.")
    expect(rec.locator("#when")).to_have_text(
        f"{shown(moved, NEW_YORK_TZ)} to {shown(moved_end, NEW_YORK_TZ, with_date=False)}")
    history = rec.locator("#history li")
    expect(history).to_have_count(2)
    expect(history.first).to_contain_text(f"scheduled by {RECRUITER.name}")
    expect(history.last).to_have_text(re.compile(  # (a regex is matched unnormalised)
        r"^\w{3} \d+ \w{3} \d{4}, \d\d:\d\d E[SD]T \(America/New_York\): rescheduled by "
        + re.escape(RECRUITER.name) + r"\s+" + re.escape(
            f"(from {shown(booked, NEW_YORK_TZ)} to {shown(moved, NEW_YORK_TZ)}): “{REASON}”")
        + "$"))

    # The board shows both of A's stages booked, in New York time.
    rec.get_by_role("link", name="Scheduling board").click()
    # Each panelist with their answer to the invite (none yet; flagged if it is near).
    for stage, start, names in ((first, first_start, [KOLKATA.name]),
                                (second, moved, [KOLKATA.name, BERLIN.name])):
        cell = board_cell(rec, CANDIDATE_A[0], stage)
        expect(cell).to_have_class(re.compile(r"\bstate-scheduled\b"))
        expect(cell.locator("a")).to_have_text(shown(start, NEW_YORK_TZ))
        expect(cell.locator(".meta")).to_have_text(re.compile(
            "^scheduled · " + " ".join(re.escape(name) + ": no answer( ⚑)?" for name in names)
            + "$"))
    rec.screenshot(path=str(artifacts / f"board-{width}.png"), full_page=True)
    guide_shot(rec, "recruiter-board.png")
    at_phone_width(rec)

    # 3. The Kolkata interviewer's home lists all three interviews in Kolkata time.
    kav = watch_console(new_context(**WIDTHS[width]).new_page(), errors, expected)
    log_in(kav, KOLKATA.at(width), live_server.password)
    upcoming = kav.locator("#today > li.task, #next > li.task")
    expect(upcoming.locator(".when strong")).to_have_text([
        shown(first_start, KOLKATA_TZ), shown(clash_start, KOLKATA_TZ), shown(moved, KOLKATA_TZ)])
    for item in upcoming.locator(".when strong").all():
        assert item.inner_text().endswith("IST (Asia/Kolkata)")
    expect(upcoming).to_contain_text([f"{CANDIDATE_A[0]}, {first}", f"{CANDIDATE_B[0]}, {first}",
                                       f"{CANDIDATE_A[0]}, {second}"])
    first_item = upcoming.filter(has_text=f"{CANDIDATE_A[0]}, {first}")
    second_item = upcoming.filter(has_text=f"{CANDIDATE_A[0]}, {second}")

    # The invites: one event each, in UTC, the rescheduled one at sequence 1.
    with live_server.session() as session:
        uids = dict(session.execute(select(Interview.id, Interview.ical_uid).where(
            Interview.id.in_([first_id, second_id]))).all())
    for item, pk, start, end, sequence in ((first_item, first_id, first_start, first_end, 0),
                                           (second_item, second_id, moved, moved_end, 1)):
        filename, event = download_invite(kav, item)
        assert filename == f"interview-{pk}.ics"
        assert str(event["UID"]) == uids[pk]
        assert event.decoded("SEQUENCE") == sequence
        assert event.decoded("DTSTART") == start
        assert event.decoded("DTSTART").utcoffset() == timedelta(0)
        assert event["DTSTART"].to_ical() == start.strftime("%Y%m%dT%H%M%SZ").encode()
        assert event.decoded("DTEND") == end
    assert uids[first_id] != uids[second_id]

    # The kit, opened from the home page: the stage's questions, signals and red flags.
    first_item.get_by_role("link", name="Interview kit").click()
    expect(kav).to_have_url(live_server.url + f"/interviews/{first_id}/kit")
    expect(kav.get_by_role("heading", level=1)).to_have_text(f"Interview kit: {first}")
    expect(kav.locator("p.meta")).to_contain_text(shown(first_start, KOLKATA_TZ))
    sections = kav.locator("section.question-kit")
    expect(sections).to_have_count(len(seeded.kit))
    for n, (section, question) in enumerate(zip(sections.all(), seeded.kit, strict=True), 1):
        assert question.signals and question.red_flags
        expect(section.locator("h2")).to_have_text(f"{n}. {question.title}")
        expect(section.locator("ul.signals > li")).to_have_text(question.signals)
        expect(section.locator("ul.red-flags > li")).to_have_text(question.red_flags)

    assert errors == [], "console errors during the journey"
    assert expected == {(schedule_path, 409): 1}  # the deliberate clash, logged once
