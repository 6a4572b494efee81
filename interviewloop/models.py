"""Imports every feature's models so that Base.metadata is complete (Alembic, tests)."""

from interviewloop.audit.models import AuditEvent
from interviewloop.auth.models import LoginSession, User, UserRole
from interviewloop.bank.models import (
    BenchmarkQuestion,
    CapabilityArea,
    Competency,
    LevelExpectation,
    Question,
    QuestionArea,
    QuestionBenchmark,
    QuestionLevel,
    QuestionPoint,
)
from interviewloop.db import Base

__all__ = [
    "AuditEvent", "Base", "BenchmarkQuestion", "CapabilityArea", "Competency",
    "LevelExpectation", "LoginSession", "Question", "QuestionArea", "QuestionBenchmark",
    "QuestionLevel", "QuestionPoint", "User", "UserRole",
]
