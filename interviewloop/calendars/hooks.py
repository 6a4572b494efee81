"""Calendars' receivers for scheduling's signals (connected in interviewloop/wiring.py)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from interviewloop.calendars.service import behind_calendars, settings, sync_states, want_sync
from interviewloop.scheduling.models import Interview
from interviewloop.scheduling.signals import PageNote
from interviewloop.timezones import format_local


def sync_calendars_of(session: Session, *, interview: Interview,
                      previous_panel: Iterable[int], change: str = "") -> None:
    """On ``interview_changed``: each affected calendar is to be written after commit."""
    want_sync(session, interview, previous_panel)


def calendar_notes(session: Session, *, interview: Interview, viewer_zone: str = "UTC"
                   ) -> list[PageNote]:
    """On ``describing_interview``: whose calendar holds the interview as it now is, and
    whose is behind (with why, and when it is tried again)."""
    if not settings(session).enabled:
        return []
    notes = []
    for person in sync_states(session, interview):
        row = person.row
        where = "taken off" if not row.present else "in"
        if not person.behind:
            notes.append(PageNote(f"{person.name}'s calendar: up to date ({where} their "
                                  "calendar).", "success"))
            continue
        text = f"{person.name}'s calendar is behind: not yet written"
        if row.last_error:
            text += f" (the calendar server did not take it: {row.last_error[:200]})"
        if row.next_attempt_at is not None:
            text += f"; next try {format_local(row.next_attempt_at, viewer_zone)}"
        notes.append(PageNote(text + ".", "warning"))
    return notes


def calendars_behind(session: Session, *, interview_ids: Iterable[int]) -> dict[int, list[str]]:
    """On ``checking_calendar_lag``: whose calendar is behind for each of these interviews."""
    if not settings(session).enabled:
        return {}
    return behind_calendars(session, list(interview_ids))
