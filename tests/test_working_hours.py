"""Working hours: each person's own (default 09:00 to 17:00, Monday to Friday, in their time
zone), edited on their account page or by an admin, kept in range by the database too, and
read as UTC intervals that follow the clocks across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from interviewloop.audit.service import SYSTEM
from interviewloop.auth import service
from interviewloop.timezones import WorkingHours
from tests.conftest import post


def test_new_people_work_nine_to_five_monday_to_friday(make_user):
    assert make_user().working_hours == WorkingHours(540, 1020, 0b11111)
    assert WorkingHours().describe() == "09:00 to 17:00, Mon Tue Wed Thu Fri"


@pytest.mark.parametrize(("starts", "ends", "days", "field"), [
    (-15, 1020, [0], "work_starts"), (540, 540, [0], "work_ends"), (540, 1455, [0], "work_ends"),
    (540, 1020, [], "work_days"), (540, 1020, [7], "work_days")])
def test_the_service_refuses_hours_out_of_range(db_session, make_user, starts, ends, days, field):
    user = make_user()
    with pytest.raises(service.InvalidUser) as refused:
        service.set_working_hours(db_session, SYSTEM, user, starts=starts, ends=ends, days=days)
    assert refused.value.field == field
    assert user.working_hours == WorkingHours()


@pytest.mark.parametrize("assignment", ["work_starts = -1", "work_ends = 1441",
                                        "work_ends = work_starts", "work_days = 0",
                                        "work_days = 128"])
def test_the_database_refuses_them_too(db_session, make_user, assignment):
    user = make_user()
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.execute(text(f"UPDATE users SET {assignment} WHERE id = :id"),  # noqa: S608
                           {"id": user.id})


def test_hours_follow_the_local_clock_across_both_changes_in_london():
    hours = WorkingHours(540, 1020, 0b1111111)
    # Europe/London: clocks forward on Sun 28 Mar 2027, back on Sun 31 Oct 2027.
    for before, after in [(date(2027, 3, 27), date(2027, 3, 29)),
                          (date(2027, 10, 30), date(2027, 11, 1))]:
        start = datetime.combine(before, datetime.min.time(), UTC)
        found = hours.intervals("Europe/London", start, start + timedelta(days=3))
        assert [(a.date(), a.hour, b.hour) for a, b in found][::2] == [
            (before, 9 if before.month == 3 else 8, 17 if before.month == 3 else 16),
            (after, 8 if before.month == 3 else 9, 16 if before.month == 3 else 17)]
        assert all(b - a == timedelta(hours=8) for a, b in found)  # a working day is 8 h


def test_a_person_sets_their_own_and_an_admin_anyone_s(make_user, login, db_session):
    person, admin = make_user("interviewer"), make_user("admin")
    client = login(person)
    page = client.get("/account").get_data(as_text=True)
    assert "09:00 to 17:00, Mon Tue Wed Thu Fri" in page
    refused = post(client, "/account/working-hours",
                   {"work_starts": "1020", "work_ends": "540", "work_days": ["0"]})
    assert refused.status_code == 422
    assert "ends after it starts" in refused.get_data(as_text=True)
    assert 'selected value="1020"' in refused.get_data(as_text=True)  # the input is kept
    assert post(client, "/account/working-hours", {"work_starts": "450", "work_ends": "930",
                                                   "work_days": ["0", "2", "4"]}).status_code == 302
    db_session.expire_all()
    assert person.working_hours.describe() == "07:30 to 15:30, Mon Wed Fri"
    admin_client = login(admin)
    assert "07:30 to 15:30" in admin_client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert post(admin_client, f"/admin/users/{person.id}/working-hours",
                {"work_starts": "0", "work_ends": "1440", "work_days": ["5", "6"]}
                ).headers["Location"] == f"/admin/users/{person.id}"
    db_session.expire_all()
    assert person.working_hours.describe() == "00:00 to 24:00, Sat Sun"
