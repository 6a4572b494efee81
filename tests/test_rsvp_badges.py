"""The RSVP badges (scheduling/badges.py, built in Python for the board's sake) and the time
they and every page show (timezones.format_local, spelled without strftime): the same
text the Jinja macro and strftime gave, and what people typed is escaped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from jinja2 import Environment

from interviewloop.scheduling.badges import rsvp_badges
from interviewloop.scheduling.models import RsvpState
from interviewloop.scheduling.rsvp import PanelAnswer
from interviewloop.timezones import format_local, to_local

ANSWERED = datetime(2026, 12, 1, 9, 15, tzinfo=UTC)


def env() -> Environment:
    environment = Environment(autoescape=True)
    environment.filters["local"] = lambda moment: format_local(moment, "Europe/Berlin")
    return environment


def test_each_answer_is_a_badge_one_space_apart():
    html = rsvp_badges(env(), [
        PanelAnswer(7, "Ada", RsvpState.ACCEPTED, ANSWERED, False),
        PanelAnswer(8, "Bo", RsvpState.NEEDS_ACTION, None, True),
        PanelAnswer(9, "Cy", RsvpState.DECLINED, ANSWERED, True)])
    assert html == (
        '<span class="rsvp">'
        '<span class="tag rsvp rsvp-accepted" data-user="7" '
        'title="accepted Tue 1 Dec 2026, 10:15 CET (Europe/Berlin)">Ada: accepted</span> '
        '<span class="tag rsvp rsvp-needs_action flagged" data-user="8" '
        'title="no answer: chase">Bo: no answer ⚑</span> '
        '<span class="tag rsvp rsvp-declined flagged" data-user="9" '
        'title="declined Tue 1 Dec 2026, 10:15 CET (Europe/Berlin): chase">Cy: declined ⚑</span>'
        '</span>')
    assert rsvp_badges(env(), []) == '<span class="rsvp"></span>'


def test_a_name_is_escaped_in_the_badge_and_the_badges_are_markup():
    html = rsvp_badges(env(), [PanelAnswer(7, '<script>alert("x")</script> O\'Neil & Co',
                                           RsvpState.NEEDS_ACTION, None, False)])
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; O&#39;Neil &amp; Co: no answer" in html
    # A template shows them as they are (not escaped twice).
    assert env().from_string("{{ b }}").render(b=html) == html


@pytest.mark.parametrize("zone", [None, "UTC", "Europe/Berlin", "America/St_Johns",
                                  "Asia/Kathmandu", "Australia/Lord_Howe", "Etc/GMT+5",
                                  "No/Such_Zone"])
def test_a_local_time_reads_as_strftime_spelled_it(zone):
    moment = datetime(1, 1, 3, tzinfo=UTC)
    step = timedelta(days=3652, hours=7, minutes=13)  # every weekday, month and hour, years 1-9999
    while moment.year < 9989:
        local = to_local(moment, zone)
        clock = f"{local:%H:%M} {local.tzname()}"
        suffix = "" if (zone or "UTC") == local.tzname() else f" ({zone or 'UTC'})"
        assert format_local(moment, zone) == f"{local:%a} {local.day} {local:%b %Y}, {clock}{suffix}"
        assert format_local(moment, zone, with_date=False) == clock + suffix
        moment += step
    assert format_local(None, zone) == ""
