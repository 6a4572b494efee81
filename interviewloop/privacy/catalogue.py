"""Which columns hold a candidate's personal data, and how erasure treats each: one entry for
every text, string and JSON column of every table (tests/test_privacy_catalogue.py lists the
migrated schema's columns and fails on one that is not here).

Personal data is what identifies the candidate or was written about them: their name, email,
notes, time zone and ids elsewhere; interviewers' evidence, summaries and notes; the hiring
manager's pre-offer evidence and decision rationale; where their interviews were and why they
moved; mail to them or naming them; audit details about them; stored API answers that
repeat them. Not personal (for this purpose): codes from fixed lists, ratings and outcomes
(kept, so that calibration statistics still count the candidate), staff accounts, and
the question bank and role definitions.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

ERASED = "[erased]"
ERASED_NAME = "Erased candidate #{id}"
ERASED_EMAIL = "erased-{id}@erased.invalid"


class How(enum.StrEnum):
    #: Replaced by the entry's placeholder (which may name the candidate's {id}); an empty
    #: text stays empty, so that nobody reads "[erased]" where nothing was written.
    PLACEHOLDER = "placeholder"
    NULL = "null"
    #: Mixed text, JSON or iCalendar: the candidate's identifying strings inside (name,
    #: email, external id, where their interviews were, why they moved) are replaced, and in
    #: JSON every free-text entry (see ``FREE_TEXT_KEYS``) becomes the placeholder.
    SCRUB = "scrub"
    #: A scorecard as it was (scorecards.service.content_of): ratings and codes kept, every
    #: written text replaced.
    SCORECARD_SNAPSHOT = "scorecard snapshot"
    #: The whole row goes (it is only a cache, or nothing is left of it once erased).
    DELETE_ROW = "delete row"


# JSON entries that are free text written by a person (interview changes, audit details).
FREE_TEXT_KEYS = frozenset({"reason", "location", "summary", "rationale", "evidence", "notes"})


@dataclass(frozen=True)
class Personal:
    how: How
    placeholder: str | None = ERASED


@dataclass(frozen=True)
class NotPersonal:
    why: str


Entry = Personal | NotPersonal

CODE = NotPersonal("a code from a fixed list")
STAFF = NotPersonal("about a staff account (candidates never sign in)")
BANK = NotPersonal("the question bank and loop templates: reference data")
ROLE = NotPersonal("the role's definition, written by the hiring team for every candidate")
DIGEST = NotPersonal("a digest or a random id")


# Columns that one kind of database has and the other not, with the one that has them:
# PostgreSQL's lower-cased copy of a question's title and prompt (bank/search_index.py).
ONLY_ON = {("questions", "search_text"): "postgresql"}


def _each(entry: Entry, *columns: str) -> dict[str, Entry]:
    return dict.fromkeys(columns, entry)


PLACEHOLDER = Personal(How.PLACEHOLDER)
SCRUB = Personal(How.SCRUB)

CATALOGUE: dict[str, dict[str, Entry]] = {
    # --- the candidate and what was written about them ---------------------------------------
    "candidates": {
        "name": Personal(How.PLACEHOLDER, ERASED_NAME),
        "email": Personal(How.PLACEHOLDER, ERASED_EMAIL),
        "source": Personal(How.PLACEHOLDER, ""),
        "notes": Personal(How.PLACEHOLDER, ""),
        "time_zone": Personal(How.PLACEHOLDER, "UTC"),
        "external_source": Personal(How.NULL, None),
        "external_id": Personal(How.NULL, None),
        "status": NotPersonal("the outcome: kept, so that statistics still count them"),
    },
    # The candidate's private link: gone with them (an old email then opens nothing).
    "candidate_links": {"nonce": Personal(How.DELETE_ROW)},
    "scorecards": {"summary": PLACEHOLDER, **_each(CODE, "status", "recommendation", "panel_role")},
    "scorecard_ratings": {"evidence": PLACEHOLDER},
    "scorecard_question_notes": {"notes": PLACEHOLDER},
    "scorecard_evidence_nudges": {
        "rule": CODE,
        "evidence_digest": NotPersonal(
            "a SHA-256 of a rating's evidence as nudged, kept only until the scorecard is "
            "submitted (to tell whether it changed), then cleared; the text cannot be read "
            "from it, and the evidence itself is erased in scorecard_ratings"),
    },
    "scorecard_signals": {"evidence": PLACEHOLDER, **_each(CODE, "question", "value")},
    "scorecard_revisions": {
        "content": Personal(How.SCORECARD_SNAPSHOT),
        "changes": NotPersonal("the names of the fields an edit changed"),
        "kind": CODE,
    },
    "scorecard_reminders": {"threshold": CODE},
    "pre_offer_checks": {
        **_each(PLACEHOLDER, "owned_system_evidence", "failure_handling_evidence",
                "reduces_risk_evidence"),
        **_each(CODE, "owned_system", "failure_handling", "reduces_risk"),
    },
    "decisions": {"rationale": PLACEHOLDER, "waiver": PLACEHOLDER, "kind": CODE,
                  "waived": NotPersonal("the loop's stage and capability area names waived")},
    "interviews": {
        # A room or a link, but also "call +44 ..." for a phone screen.
        "location": PLACEHOLDER,
        "status": CODE,
        "ical_uid": DIGEST,
    },
    "interview_changes": {"before": SCRUB, "after": SCRUB, "reason": PLACEHOLDER, "kind": CODE},
    "interview_panelists": {"rsvp": NotPersonal("the interviewer's answer to the invite"),
                            "role": CODE},
    # Mail to the candidate is withdrawn (if not yet sent) and blanked; mail naming them
    # (interviewers' invites and reminders) is scrubbed.
    "outbox_mail": {
        **_each(SCRUB, "idempotency_key", "recipient", "subject", "body", "calendar",
                "last_error"),
        **_each(CODE, "calendar_method", "state"),
    },
    # The event itself is written again from the erased rows; the server's last answer may
    # quote it.
    # Proposed times: stage ids, times and interviewers' ids, nothing written by a person.
    "loop_proposals": {"options": NotPersonal("stage and interviewer ids and times")},
    "calendar_pushes": {"last_error": SCRUB, "collection_url": STAFF, "state": CODE},
    "audit_events": {
        "detail": SCRUB,
        "ip": NotPersonal("the acting staff member's address"),
        **_each(CODE, "action", "object_type"),
    },
    # The answer kept for an Idempotency-Key repeats the candidate it created.
    "api_idempotent_requests": {
        "response_body": Personal(How.DELETE_ROW),
        "response_headers": Personal(How.DELETE_ROW),
        "key": NotPersonal("the API client's own request key"),
        "request_hash": DIGEST,
    },
    # --- a candidate's loop: questions from the bank -----------------------------------------
    "loops": {"level": CODE, "coverage_gaps": NotPersonal("codes of capability areas")},
    "loop_stages": {"name": BANK, "category": CODE},
    "loop_questions": {"alternate_reason": CODE},
    # --- privacy's own ------------------------------------------------------------------------
    "retention_rules": {"name": NotPersonal("an admin's name for the rule")},
    "candidate_erasures": {"reason": NotPersonal(
        "the admin's reason, kept with the candidate's name and email taken out")},
    # --- staff accounts -----------------------------------------------------------------------
    "users": _each(STAFF, "email", "name", "password_hash", "time_zone", "last_failed_login_ip",
                   "calendar_token_hash", "job_title"),
    "user_roles": {"role": CODE},
    "login_sessions": _each(STAFF, "token", "ip", "user_agent"),
    "login_throttles": {"ip": STAFF},
    "sso_pending_sign_ins": _each(STAFF, "state_hash", "nonce", "code_verifier", "next_path"),
    # Webhooks: an admin's endpoints, and events that carry ids and codes only (names and
    # email addresses stay out: webhooks/hooks.py), with receivers' answers.
    "webhook_endpoints": _each(NotPersonal("an admin's endpoint settings"), "url", "description",
                               "secret_seed"),
    "webhook_subscriptions": {"event_type": CODE},
    # (a candidate.created event carries the ATS's external id for the candidate)
    "webhook_events": {**_each(CODE, "uid", "type"), "body": SCRUB},
    "webhook_deliveries": {"state": CODE, "last_error": NotPersonal("the receiver's answer")},
    "webhook_attempts": {"error": NotPersonal("the receiver's answer")},
    "two_factor": {"secret_sealed": STAFF},
    "two_factor_recovery_codes": {"code_hash": STAFF},
    "two_factor_challenges": _each(STAFF, "token_hash", "next_path"),
    "api_tokens": {**_each(STAFF, "name", "token_hash", "last_used_ip"), "kind": CODE},
    "api_token_scopes": {"scope": CODE},
    "calendar_accounts": {"collection": STAFF},
    # Interviewer pools: who is qualified, shadowing or coached (an interviewer's training).
    "pools": _each(CODE, "category", "level"),
    "pool_members": {"state": CODE},
    "pool_changes": {**_each(CODE, "kind", "before", "after"),
                     "note": NotPersonal("the pool owner's note on an interviewer's training")},
    # --- requisitions and their question sets -------------------------------------------------
    "requisitions": {
        **_each(ROLE, "title", "team", "ships", "owns_after_launch", "success_measures",
                "fails_in_seat", "surface_system", "surface_inputs", "surface_models",
                "surface_orchestration", "surface_apis", "surface_data_stores",
                "surface_observability", "surface_failure_modes", "surface_pager",
                "comp_currency"),
        **_each(CODE, "level", "status"),
    },
    "question_sets": {"reason": ROLE},
    "question_set_stages": {"name": ROLE, "category": CODE},
    # --- the question bank and templates ------------------------------------------------------
    "questions": {**_each(BANK, "slug", "title", "prompt", "origin", "search_text"),
                  "category": CODE},
    "question_points": {"text": BANK, "kind": CODE},
    "question_levels": {"level": CODE},
    "benchmark_questions": _each(BANK, "slug", "text", "description"),
    "capability_areas": _each(BANK, "slug", "name", "description"),
    "competencies": _each(BANK, "slug", "name"),
    "level_expectations": {"text": BANK, "level": CODE},
    "loop_templates": {**_each(BANK, "name", "description"), "level": CODE},
    "loop_template_stages": {"name": BANK, "category": CODE},
}


def personal_columns() -> dict[str, dict[str, Personal]]:
    """Table -> its personal columns and how each is erased (tables with none left out)."""
    found: dict[str, dict[str, Personal]] = {}
    for table, columns in CATALOGUE.items():
        personal = {name: e for name, e in columns.items() if isinstance(e, Personal)}
        if personal:
            found[table] = personal
    return found


def entry(table: str, column: str) -> Entry | None:
    return CATALOGUE.get(table, {}).get(column)
