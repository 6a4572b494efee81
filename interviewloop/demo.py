"""Demo data for `make run`: idempotent, so running it twice changes nothing."""

from __future__ import annotations

from sqlalchemy.orm import Session

from interviewloop.audit.service import SYSTEM
from interviewloop.auth import service
from interviewloop.auth.passwords import Hasher

DEMO_USERS: list[tuple[str, str, tuple[str, ...]]] = [
    ("admin@example.com", "Ada Admin", ("admin",)),
    ("recruiter@example.com", "Rita Recruiter", ("recruiter",)),
    ("manager@example.com", "Manny Manager", ("hiring_manager",)),
    ("interviewer1@example.com", "Ines Interviewer", ("interviewer",)),
    ("interviewer2@example.com", "Ivan Interviewer", ("interviewer",)),
    ("interviewer3@example.com", "Iris Interviewer", ("interviewer",)),
    ("interviewer4@example.com", "Igor Interviewer", ("interviewer", "hiring_manager")),
]

DEMO_TIME_ZONES = ["UTC", "America/New_York", "Europe/London", "Europe/Berlin",
                   "Asia/Kolkata", "America/Los_Angeles", "Australia/Sydney"]


def load_demo(session: Session, hasher: Hasher, password: str) -> int:
    """Create the demo users that do not exist yet; return how many were created."""
    created = 0
    for (email, name, roles), zone in zip(DEMO_USERS, DEMO_TIME_ZONES, strict=True):
        if service.find_user_by_email(session, email) is None:
            service.create_user(session, SYSTEM, hasher, email=email, name=name,
                                password=password, roles=roles, time_zone=zone)
            created += 1
    return created
