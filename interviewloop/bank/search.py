"""The bank's text search: each word of the query, as typed, inside the title or the prompt.

The text is split on whitespace (the first ``MAX_TERMS`` words count); a question matches
when every word occurs in its title or its prompt as a literal substring, case aside: "k8s",
"p99", a fragment inside a word, and ``%``, ``_``, ``"``, ``*`` or ``-`` match themselves.
That is ``ILIKE`` with the LIKE wildcards escaped (on SQLite plain ``LIKE``, the same there),
which decides on both databases; an index made for substrings finds the candidates
(bank/search_index.py):

- PostgreSQL: ILIKE there (a UTF-8 database) is ``lower(text) LIKE lower(pattern)``; the
  questions keep their text lower-cased in a generated column, matched with exactly that
  LIKE, which the pg_trgm GIN index on that column answers.
- SQLite: the FTS5 trigram table narrows the rows to those holding, for every word of
  three characters or more, trigrams that cover it (each a quoted string, so nothing in it
  is FTS5 syntax); the ILIKE conditions then decide. A row holding the word holds each of
  its trigrams, and FTS5 folds case over all of Unicode where SQLite's ``lower()`` folds
  only ASCII, so the match holds every row the ILIKE one does, and the results are exactly
  the scan's.

A word under three characters has no trigram: on SQLite it is left to the ILIKE condition
alone, and PostgreSQL's planner does the same. Such a query is still answered correctly, by
the scan it always was, only not faster.
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, Text, column, func, literal_column, or_, select, table

from interviewloop.bank.models import Question
from interviewloop.bank.search_index import FTS_TABLE, SEARCH_TEXT

MAX_TERMS = 8
TRIGRAM = 3  # characters in a trigram: shorter words cannot be looked up in either index

_fts = table(FTS_TABLE, column("rowid"), column(FTS_TABLE))
# The questions' lower-cased text on PostgreSQL (bank/search_index.py): a column of the
# table the bank's statements read, unaliased, but not one the ORM maps.
_search_text = literal_column(f"questions.{SEARCH_TEXT}", Text)


def terms(text: str) -> list[str]:
    return text.split()[:MAX_TERMS]


def contains(term: str, dialect: str) -> ColumnElement[bool]:
    """The term, literally, inside the title or the prompt (any case)."""
    pattern = "%" + re.sub(r"([\\%_])", r"\\\1", term) + "%"
    if dialect == "sqlite":
        # SQLite's LIKE ignores case over ASCII, as its lower() folds only ASCII: ILIKE there
        # (lower() LIKE lower()) decides the same and copies every title and prompt first.
        # (Unless PRAGMA case_sensitive_like is set, which nothing here does.)
        return or_(Question.title.like(pattern, escape="\\"),
                   Question.prompt.like(pattern, escape="\\"))
    # ILIKE is lower(text) LIKE lower(pattern) on PostgreSQL (UTF-8): the text is stored lower-cased
    # (title, newline, prompt), and a term, having no whitespace, cannot span the newline.
    return _search_text.like(func.lower(pattern), escape="\\")


def covering_trigrams(word: str) -> list[str]:
    """Trigrams of ``word`` that between them cover every character of it: one every three
    characters, and the last. Looked up one by one rather than as the word's phrase, they
    spare FTS5 reading and lining up every trigram's positions (a 7-letter word: 3 lists
    instead of 5, and no phrase check), at the cost of a few more rows for ILIKE to check."""
    last = len(word) - TRIGRAM
    starts = [*range(0, last, TRIGRAM), last]
    return [word[start:start + TRIGRAM] for start in starts]


def fts_query(words: list[str]) -> str:
    """An FTS5 query matching rows that hold the covering trigrams of every word: each a
    string, ``"`` doubled."""
    trigrams = dict.fromkeys(t for word in words for t in covering_trigrams(word))
    return " AND ".join('"' + trigram.replace('"', '""') + '"' for trigram in trigrams)


def indexed_words(words: list[str]) -> list[str]:
    """The words the index can look up (an FTS5 query is a C string: a word holding NUL is
    left to the scan)."""
    return [word for word in words if len(word) >= TRIGRAM and "\x00" not in word]


def text_conditions(text: str, dialect: str) -> list[ColumnElement[bool]]:
    """The WHERE conditions for the search text on the given database."""
    words = terms(text)
    conditions = [contains(word, dialect) for word in words]
    indexed = indexed_words(words)
    if dialect == "sqlite" and indexed:
        conditions.insert(0, Question.id.in_(
            select(_fts.c.rowid).where(_fts.c[FTS_TABLE].match(fts_query(indexed)))))
    return conditions
