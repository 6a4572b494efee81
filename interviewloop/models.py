"""Imports every feature's models so that Base.metadata is complete (Alembic, tests)."""

from interviewloop.api.models import ApiToken, ApiTokenScope, IdempotentRequest
from interviewloop.audit.models import AuditEvent
from interviewloop.auth.models import (
    LoginSession,
    LoginThrottle,
    RecoveryCode,
    TwoFactor,
    TwoFactorChallenge,
    User,
    UserRole,
)
from interviewloop.availability.models import CandidateLink, CandidateWindow
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
from interviewloop.calendars.models import CalendarAccount, CalendarPush
from interviewloop.db import Base
from interviewloop.debrief.models import Decision, PreOfferCheck
from interviewloop.loops.models import (
    Loop,
    LoopQuestion,
    LoopStage,
    LoopStageArea,
    LoopTemplate,
    LoopTemplateStage,
    LoopTemplateStageArea,
)
from interviewloop.outbox.models import OutboxMail
from interviewloop.pools.models import Pool, PoolChange, PoolMember
from interviewloop.privacy.models import CandidateErasure, RetentionRule
from interviewloop.requisitions.models import Candidate, Requisition, RequisitionMember
from interviewloop.scheduling.models import (
    Interview,
    InterviewChange,
    InterviewReminder,
    LoopProposal,
    Panelist,
    ProposedStage,
)
from interviewloop.scorecards.models import (
    PreOfferSignal,
    QuestionNote,
    Rating,
    ReminderSent,
    Scorecard,
    ScorecardChase,
    ScorecardRevision,
)
from interviewloop.sso.models import PendingSignIn
from interviewloop.webhooks.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    WebhookSubscription,
)

__all__ = [
    "ApiToken",
    "ApiTokenScope",
    "AuditEvent",
    "Base",
    "BenchmarkQuestion",
    "CalendarAccount",
    "CalendarPush",
    "Candidate",
    "CandidateErasure",
    "CandidateLink",
    "CandidateWindow",
    "CapabilityArea",
    "Competency",
    "Decision",
    "IdempotentRequest",
    "Interview",
    "InterviewChange",
    "InterviewReminder",
    "LevelExpectation",
    "LoginSession",
    "LoginThrottle",
    "Loop",
    "LoopProposal",
    "LoopQuestion",
    "LoopStage",
    "LoopStageArea",
    "LoopTemplate",
    "LoopTemplateStage",
    "LoopTemplateStageArea",
    "OutboxMail",
    "Panelist",
    "PendingSignIn",
    "Pool",
    "PoolChange",
    "PoolMember",
    "PreOfferCheck",
    "PreOfferSignal",
    "ProposedStage",
    "Question",
    "QuestionArea",
    "QuestionBenchmark",
    "QuestionLevel",
    "QuestionNote",
    "QuestionPoint",
    "Rating",
    "RecoveryCode",
    "ReminderSent",
    "Requisition",
    "RequisitionMember",
    "RetentionRule",
    "Scorecard",
    "ScorecardChase",
    "ScorecardRevision",
    "TwoFactor",
    "TwoFactorChallenge",
    "User",
    "UserRole",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
    "WebhookSubscription",
]
