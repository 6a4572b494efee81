"""What must hold after every step, checked in the database itself (SQL written here, not
the app's own queries), and the snapshot that shows a refused request changed nothing."""

from __future__ import annotations

import functools
import re

from sqlalchemy import text

from interviewloop.db import Base

# Content no request of the machine may change (imported once per test, read-only).
STATIC = {"capability_areas", "benchmark_questions", "competencies", "level_expectations",
          "loop_templates", "loop_template_stages", "loop_template_stage_areas"}


@functools.cache
def table_queries() -> dict[str, str]:
    """SELECT * for each table that matters, in primary-key order."""
    import interviewloop.models  # noqa: F401 - every model on the metadata

    # Names from our own metadata, not from input. Raw SQL: a snapshot runs before every POST.
    queries = {t.name: f"SELECT * FROM {t.name} ORDER BY {', '.join(c.name for c in t.primary_key)}"  # noqa: S608
               for t in Base.metadata.sorted_tables if t.name not in STATIC}
    assert len(queries) > 20, "the models are not all loaded"
    return queries


CHECKS = {
    "a stage has two live interviews": """
        SELECT stage_id FROM interviews WHERE status = 'scheduled' GROUP BY stage_id HAVING COUNT(*) > 1""",
    "someone is double-booked": """
        SELECT a.user_id, a.interview_id, b.interview_id
        FROM interview_panelists a
        JOIN interview_panelists b ON b.user_id = a.user_id AND b.interview_id > a.interview_id
        JOIN interviews ia ON ia.id = a.interview_id AND ia.status = 'scheduled'
        JOIN interviews ib ON ib.id = b.interview_id AND ib.status = 'scheduled'
        WHERE ia.starts_at < ib.ends_at AND ib.starts_at < ia.ends_at""",
    "a candidate is double-booked": """
        SELECT a.id, b.id FROM interviews a
        JOIN interviews b ON b.candidate_id = a.candidate_id AND b.id > a.id AND b.status = 'scheduled'
        WHERE a.status = 'scheduled' AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at""",
    "a panelist's copy of the interview's times or state is wrong": """
        SELECT p.interview_id, p.user_id FROM interview_panelists p
        JOIN interviews i ON i.id = p.interview_id
        WHERE p.starts_at <> i.starts_at OR p.ends_at <> i.ends_at
           OR (CASE WHEN p.live THEN 1 ELSE 0 END) <> (CASE WHEN i.status = 'scheduled' THEN 1 ELSE 0 END)""",
    "a seat's scorecard_in disagrees with its scorecard (scorecards/owed.py)": """
        SELECT p.interview_id, p.user_id FROM interview_panelists p
        WHERE (CASE WHEN p.scorecard_in THEN 1 ELSE 0 END) <> (CASE WHEN EXISTS (
            SELECT 1 FROM scorecards s WHERE s.interview_id = p.interview_id
            AND s.interviewer_id = p.user_id AND s.status = 'submitted') THEN 1 ELSE 0 END)""",
    "a question's kept usage count disagrees with its loop questions (loops/usage.py)": """
        SELECT c.question_id FROM (SELECT question_id, COUNT(*) AS n FROM loop_questions
                                   GROUP BY question_id) c
        LEFT JOIN question_usage u ON u.question_id = c.question_id
        WHERE u.uses IS NULL OR u.uses <> c.n
        UNION ALL
        SELECT u.question_id FROM question_usage u WHERE u.uses <> 0 AND NOT EXISTS (
            SELECT 1 FROM loop_questions q WHERE q.question_id = u.question_id)""",
    "the bank's kept question tallies disagree with its questions (bank/tallies.py)": """
        SELECT c.retired FROM (SELECT CASE WHEN retired_at IS NULL THEN 0 ELSE 1 END AS retired,
                                      COUNT(*) AS n FROM questions GROUP BY 1) c
        LEFT JOIN question_tallies t ON (CASE WHEN t.retired THEN 1 ELSE 0 END) = c.retired
        WHERE t.questions IS NULL OR t.questions <> c.n
        UNION ALL
        SELECT CASE WHEN t.retired THEN 1 ELSE 0 END FROM question_tallies t
        WHERE t.questions <> 0 AND NOT EXISTS (
            SELECT 1 FROM questions q WHERE (q.retired_at IS NOT NULL) = t.retired)""",
    "a scorecard from someone not on the panel": """
        SELECT s.id FROM scorecards s
        JOIN interviews i ON i.id = s.interview_id
        LEFT JOIN interview_panelists p
               ON p.interview_id = s.interview_id AND p.user_id = s.interviewer_id
        WHERE p.user_id IS NULL OR s.candidate_id <> i.candidate_id""",
    "an offer without a passed check": """
        SELECT d.id FROM decisions d
        LEFT JOIN pre_offer_checks c ON c.id = d.pre_offer_check_id
        WHERE d.kind = 'offer' AND (c.id IS NULL OR NOT c.passed
              OR c.candidate_id <> d.candidate_id OR c.answered_at > d.decided_at)""",
    "an offer with scorecards outstanding": """
        SELECT d.id FROM decisions d
        JOIN interviews i ON i.candidate_id = d.candidate_id AND i.status = 'scheduled'
        JOIN interview_panelists p ON p.interview_id = i.id
        LEFT JOIN scorecards s ON s.interview_id = i.id AND s.interviewer_id = p.user_id
                              AND s.status = 'submitted'
        WHERE d.kind = 'offer' AND (s.id IS NULL OR s.submitted_at > d.decided_at)""",
    "an offer on a check answered before a scorecard came in or changed": """
        SELECT d.id FROM decisions d
        JOIN pre_offer_checks c ON c.id = d.pre_offer_check_id
        JOIN scorecards s ON s.candidate_id = d.candidate_id AND s.status = 'submitted'
        WHERE d.kind = 'offer' AND s.updated_at > c.answered_at""",
    "a decision after an offer or a rejection": """
        SELECT b.id FROM decisions a
        JOIN decisions b ON b.candidate_id = a.candidate_id AND b.id > a.id
        WHERE a.kind IN ('offer', 'reject')""",
    "a candidate's status disagrees with the decisions": """
        SELECT c.id FROM candidates c
        WHERE (c.status = 'offer' AND NOT EXISTS (
                  SELECT 1 FROM decisions d WHERE d.candidate_id = c.id AND d.kind = 'offer'))
           OR (c.status = 'rejected' AND NOT EXISTS (
                  SELECT 1 FROM decisions d WHERE d.candidate_id = c.id AND d.kind = 'reject'))
           OR (c.status = 'active' AND EXISTS (SELECT 1 FROM decisions d
                  WHERE d.candidate_id = c.id AND d.kind IN ('offer', 'reject')))""",
    "a scorecard changed after the decision that locked it": """
        SELECT r.id FROM scorecard_revisions r
        JOIN scorecards s ON s.id = r.scorecard_id
        JOIN interviews i ON i.id = s.interview_id
        JOIN decisions d ON d.candidate_id = s.candidate_id AND d.decided_at >= i.created_at
        WHERE r.at > d.decided_at""",
}


# All the checks in one statement (an EXISTS each): they run after every step.
ANY_BROKEN = "SELECT " + ", ".join(f"EXISTS ({sql})" for sql in CHECKS.values())


def broken_invariants(connection) -> dict[str, list]:
    """Every invariant that does not hold, with the offending rows (read again for those)."""
    found = {}
    held = connection.execute(text(ANY_BROKEN)).one()
    for (name, sql), broken in zip(CHECKS.items(), held, strict=True):
        if not broken:
            continue
        rows = connection.execute(text(sql)).all()
        if rows:
            found[name] = [tuple(r) for r in rows[:5]]
    return found


def snapshot(connection) -> dict[str, int | str]:
    """Each table that matters: a hash of all its rows (small tables, so a full read)."""
    if connection.dialect.name == "postgresql":  # one round trip, hashed by the server
        names, sql = postgres_snapshot_query()
        return dict(zip(names, connection.exec_driver_sql(sql).one(), strict=True))
    names, sql = sqlite_snapshot_query()  # each table's rows as one string, made by SQLite
    return {name: hash(rows) for name, rows in
            zip(names, connection.exec_driver_sql(sql).one(), strict=True)}


@functools.cache
def sqlite_snapshot_query() -> tuple[list[str], str]:
    """One statement with a column per table: its rows, each value quote()d, in key order
    (read row by row into Python, the snapshots took a fifth of a bounded run)."""
    import interviewloop.models  # noqa: F401 - every model on the metadata

    tables = [t for t in Base.metadata.sorted_tables if t.name not in STATIC]
    columns = []
    for t in tables:
        row = " || ',' || ".join(f'quote("{c.name}")' for c in t.c)
        order = ", ".join(f'"{c.name}"' for c in t.primary_key)
        columns.append(f"(SELECT group_concat({row}, char(10)) "  # noqa: S608 - our names
                       f'FROM (SELECT * FROM "{t.name}" ORDER BY {order}))')
    return [t.name for t in tables], "SELECT " + ", ".join(columns)


@functools.cache
def postgres_snapshot_query() -> tuple[list[str], str]:
    """One statement with a column per table: the md5 of its rows as text, in key order (a
    statement per table cost sixty round trips before and after every refused POST)."""
    import interviewloop.models  # noqa: F401 - every model on the metadata

    tables = [t for t in Base.metadata.sorted_tables if t.name not in STATIC]
    columns = [f"(SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY "  # noqa: S608 - names
               f"{', '.join('t.' + c.name for c in t.primary_key)}), '')) FROM \"{t.name}\" t)"
               for t in tables]
    return [t.name for t in tables], "SELECT " + ", ".join(columns)


# A tilde is in no token, nonce or id the app prints (base64, hex): a marker is never
# matched by chance inside one.
MARKER = re.compile(r"MK~\d+~Z")

_SUBMITTED_TEXT = """
    SELECT 1 FROM scorecards s WHERE s.status = 'submitted' AND (s.summary LIKE :like
        OR EXISTS (SELECT 1 FROM scorecard_ratings r WHERE r.scorecard_id = s.id
                   AND r.evidence LIKE :like)
        OR EXISTS (SELECT 1 FROM scorecard_question_notes n WHERE n.scorecard_id = s.id
                   AND n.notes LIKE :like)
        OR EXISTS (SELECT 1 FROM scorecard_signals g WHERE g.scorecard_id = s.id
                   AND g.evidence LIKE :like)
        OR EXISTS (SELECT 1 FROM scorecard_revisions v WHERE v.scorecard_id = s.id
                   AND CAST(v.content AS TEXT) LIKE :like))"""

_PENDING = """
    SELECT i.id FROM interviews i
    JOIN interview_panelists p ON p.interview_id = i.id AND p.user_id = :viewer
    WHERE i.candidate_id = :candidate AND i.status = 'scheduled' AND NOT EXISTS (
        SELECT 1 FROM scorecards s WHERE s.interview_id = i.id AND s.interviewer_id = :viewer
        AND s.status = 'submitted')"""


def independence_breaches(connection, markers: dict[str, tuple[int, int]], viewer_id: int,
                          body: str) -> list[str]:
    """Markers of other people's scorecards that ``viewer_id`` should not have seen: any of
    a draft (or of text never saved), and any at all while the viewer's own scorecard on
    that candidate is not yet submitted."""
    breaches = []
    for marker in set(MARKER.findall(body)):
        author, candidate = markers.get(marker, (None, None))
        if author is None or author == viewer_id:
            continue
        submitted = connection.execute(text(_SUBMITTED_TEXT),
                                       {"like": f"%{marker}%"}).first() is not None
        if not submitted:
            breaches.append(f"{marker}: unsubmitted text of user {author}")
            continue
        pending = connection.execute(text(_PENDING), {"viewer": viewer_id,
                                                      "candidate": candidate}).first()
        if pending is not None:
            breaches.append(f"{marker}: user {author}'s scorecard on candidate {candidate}, "
                            f"seen by user {viewer_id} before their own (interview {pending[0]})")
    return breaches
