"""What scheduling asks of the features above it (scorecards), which connect receivers
here (interviewloop/wiring.py); scheduling never imports them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from blinker import Namespace

_signals = Namespace()


@dataclass
class CalendarCheck:
    """What people's own calendars say of a booking (``checking_calendars``)."""

    warnings: list[str] = field(default_factory=list)  # busy then: book only once confirmed
    notices: list[str] = field(default_factory=list)  # e.g. a calendar that could not be read


@dataclass
class BusyTimes:
    """What people's own calendars show busy over a range (``reading_busy_times``)."""

    busy: dict[int, list[tuple[datetime, datetime]]] = field(default_factory=dict)  # by user id
    unread: list[str] = field(default_factory=list)  # the names whose calendar did not answer

    @property
    def notices(self) -> list[str]:
        if not self.unread:
            return []
        return [f"Busy times could not be read from the calendars of {', '.join(self.unread)}: "
                "the calendar server did not answer. These times allow for their interviews "
                "here, not for the rest of their calendars; check those yourself."]


@dataclass(frozen=True)
class PageNote:
    """A line for the interview page (``describing_interview``); ``level`` is a flash
    category: success, info or warning."""

    text: str
    level: str = "info"

#: Sent by ``reschedule`` before the panel changes, with ``interview``, ``keeping`` (the
#: ids of the new panel, trainees included) and ``seats`` ({id: PanelRole}). A receiver
#: raises a DomainError to refuse (scorecards: someone leaving the panel, or changing seat,
#: has started a scorecard).
panel_changing = _signals.signal("panel-changing")

#: Sent by ``board_page`` with ``interview_ids`` (the page's live interviews). A receiver
#: (scorecards) returns ``{interview id: submitted scorecards}`` for those interviews.
counting_scorecards = _signals.signal("counting-scorecards")

#: Sent by ``schedule_stage``, ``reschedule`` and ``cancel`` once the interview is flushed as
#: it now is, with ``interview``, ``previous_panel`` (the ids of the panel before the change)
#: and ``change`` ("scheduled", "rescheduled" or "cancelled"). A receiver (calendars) asks for
#: its work after the transaction commits; webhooks record the event in the transaction.
interview_changed = _signals.signal("interview-changed")

#: Sent by the booking pages before they book, with ``user_ids``, ``starts_at``, ``ends_at``,
#: ``interview_uid`` (the interview being moved, or None) and ``viewer_zone``. A receiver
#: (calendars) reads what it needs from the session and returns a callable, or None; the page
#: ends its transaction, then calls it (network I/O outside any write transaction), and gets
#: a ``CalendarCheck``: warnings that need a confirmation, notices to show.
checking_calendars = _signals.signal("checking-calendars")

#: Sent by the page that proposes times for a whole loop (and by its booking, for the option
#: chosen) with ``user_ids``, ``starts_at`` and ``ends_at``. A receiver (calendars) reads what
#: it needs from the session and returns a callable, or None; the page ends its transaction,
#: then calls it (network I/O outside any transaction, once for the whole range) and gets
#: ``BusyTimes``: each person's busy times, and whose calendar could not be read.
reading_busy_times = _signals.signal("reading-busy-times")

#: Sent by the interview page with ``interview``. A receiver (calendars) returns a list of
#: ``PageNote`` to show on it (e.g. whose calendar is behind).
describing_interview = _signals.signal("describing-interview")

#: Sent by the board and the loop page with ``interview_ids``. A receiver (calendars)
#: returns ``{interview id: names of the people whose calendar is behind for it}`` (a write
#: that failed or waits for its retry), in one query however many interviews.
checking_calendar_lag = _signals.signal("checking-calendar-lag")

#: Sent by ``check_booking`` with ``candidate``. A receiver returns a refusal (a sentence) or
#: None (privacy: the candidate's personal data was erased, so nobody books them again; an
#: invite would have nowhere to go and would name them).
checking_candidate = _signals.signal("checking-candidate")
