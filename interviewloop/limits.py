"""Every length and range a person can run into, named once.

Forms (maxlength and validators), services (the message a person sees), the importer and
the models' CHECK constraints all read these, so the rule cannot drift between them. (A
change here changes CHECK text: it needs an Alembic revision, which the drift test asks
for.)"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """An inclusive range of whole numbers: minutes, counts, or a text's length."""

    low: int
    high: int

    def __contains__(self, value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and \
            self.low <= value <= self.high

    def check(self, expression: str) -> str:
        """The CHECK constraint's condition, e.g. "minutes BETWEEN 5 AND 240"."""
        return f"{expression} BETWEEN {self.low} AND {self.high}"

    def length_check(self, column: str) -> str:
        return self.check(f"length({column})")


# Text lengths (characters).
PERSON_NAME = Span(1, 120)  # people, candidates
EMAIL = Span(3, 254)  # RFC 5321's path limit
REQUISITION_TITLE = Span(1, 120)
TEAM_NAME = Span(1, 120)
CANDIDATE_SOURCE = 120
CANDIDATE_NOTES = 10_000
SLUG = Span(1, 80)
STAGE_NAME = Span(1, 80)
QUESTION_TITLE = Span(1, 200)
QUESTION_PROMPT = Span(1, 4000)
QUESTION_POINT = Span(1, 500)  # a signal or a red flag
SEARCH_TEXT = 200
ANSWER = 4000  # an operating question's answer, a pre-offer answer's evidence, a rationale
EVIDENCE = 5000  # a rating's evidence, a question's notes, a scorecard's summary
SIGNAL_EVIDENCE = 1000  # a pre-offer signal's line on a scorecard
LOCATION = 500  # a room or a video link
CHANGE_REASON = 500  # why an interview moved or was cancelled
SET_REVISION_REASON = Span(1, 500)  # why a requisition's question set was revised
API_TOKEN_NAME = Span(1, 80)
JOB_TITLE = 120  # a person's job title, shown to the candidates they meet
IDEMPOTENCY_KEY = Span(1, 255)  # an API client's Idempotency-Key header
EXTERNAL_SOURCE = Span(1, 80)  # the system a candidate was imported from (an ATS's name)
EXTERNAL_ID = Span(1, 200)  # the candidate's id in that system
RETENTION_RULE_NAME = Span(1, 120)
ERASURE_REASON = Span(1, 500)  # why an admin erased a candidate's personal data

# Numbers.
QUESTION_MINUTES = Span(5, 120)  # a bank question's suggested time
STAGE_MINUTES = Span(5, 240)  # a loop stage, in a template or a candidate's loop
INTERVIEW_MINUTES = Span(5, 480)
QUESTIONS_PER_STAGE = Span(1, 5)
WEEKLY_INTERVIEW_CAP = Span(1, 50)
WORK_MINUTE = Span(0, 1440)  # working hours: minutes after local midnight (1440: the day's end)
WORK_DAYS = Span(1, 127)  # working days: a bit per weekday, Monday = 1 ... Sunday = 64
PROPOSAL_DAYS = Span(1, 28)  # the date range a loop's times are proposed in, in days
PANEL_SIZE = Span(1, 4)  # interviewers a stage's panel needs (its template's, set's, loop's)
API_TOKEN_DAYS = Span(1, 366)  # how long an API token lives
API_PAGE_SIZE = Span(1, 100)  # rows per page of an API list
# A candidate's availability (entered behind their private link).
AVAILABILITY_WINDOW_MINUTES = Span(15, 720)  # one window: a quarter of an hour to 12 hours
AVAILABILITY_WINDOWS = 50  # windows a candidate keeps (those not over yet)
AVAILABILITY_HORIZON_DAYS = 365  # how far ahead a window may start
CANDIDATE_LINK_DAYS = Span(1, 90)  # how long a candidate's private link lives
RETENTION_DAYS = Span(1, 3650)  # a retention rule waits this many days after the outcome
OPEN_SESSIONS_SHOWN = 50  # a person's own open sessions listed on their account

# Analytics (issue 12): below these sample sizes a statistic is not shown ("too few").
MIN_RELIABILITY_UNITS = 10  # candidates rated by two or more interviewers in the area
MIN_INTERVIEWER_SCORECARDS = 5  # an interviewer's scorecards, for their own figures
MIN_LENIENCY_CANDIDATES = 5  # candidates an interviewer shares with co-panelists
# The debrief's leniency-adjusted ratings shrink an offset over n candidates by n / (n + k),
# k the ratio of the per-candidate variance of an offset to the variance of true offsets
# between interviewers (empirical Bayes). k = 5: as much weight on "this interviewer rates
# like the panel" as five candidates of their own history, so at the minimum of 5 half the
# offset is removed, at 20 four fifths. Deliberately conservative: the demo history, whose
# leniency is planted large, gives k = 0.2 (docs/analytics.md), real panels spread far less,
# and an aid that over-corrects misleads more than one that under-corrects.
LENIENCY_PRIOR = 5
# Per capability area, an interviewer's departure from their own overall offset over n
# candidates rated in the area is shrunk by n / (n + k_area) (analytics/leniency.py). k_area
# = 10, twice k: an area's departure rests on fewer ratings than the overall offset and we
# expect interviewers to differ between areas less than from one another; at 10 candidates in
# an area half its departure counts, at 40 four fifths.
LENIENCY_AREA_PRIOR = 10
MIN_NUDGE_EVIDENCE = 20  # pieces of evidence the nudges looked at (about 5 scorecards), for
MIN_NUDGED = 5  # the share nudged; and nudged pieces, for the share changed after the nudge
MIN_DECIDED = 5  # an interviewer's scorecards on candidates with an offer or a rejection
MIN_QUESTION_RATINGS = 20  # ratings a question's stage produced, for its distribution and
# the ceiling and floor flags
MIN_QUESTION_DECIDED = 10  # candidates asked it with an offer or a rejection, for its
MIN_QUESTION_EACH_OUTCOME = 3  # discrimination; and at least this many offers and rejections
MIN_FUNNEL_STEP = 5  # candidates at a funnel step, for the share who went on to the next
MIN_FUNNEL_TIMES = 5  # candidates timed between two steps, for the median time

# Question report flags (docs/analytics.md says why these values).
CEILING_SHARE = 0.75  # this share of a question's ratings at the top (4): near the ceiling;
# at the bottom (1): near the floor
LOW_DISCRIMINATION = 0.2  # Somers' D below this: the ratings barely track the outcome
STRONG_DISCRIMINATION = 0.5  # ... from this: they track it strongly
EXPOSURE_DAYS = 90  # "recent" uses of a question: interviews in this many days before now
QUESTION_PAGE = 25  # questions per page of the question report
