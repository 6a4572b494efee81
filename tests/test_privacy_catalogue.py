"""Every text, string and JSON column of the migrated schema is classified: personal data
of a candidate (and how erasure treats it) or not (and why). A new column fails here until
it is in interviewloop/privacy/catalogue.py; a new personal one then fails the marker test
(tests/test_privacy.py) until the seed fills it and erasure reaches it."""

from __future__ import annotations

from interviewloop.privacy.catalogue import (
    CATALOGUE,
    ONLY_ON,
    How,
    NotPersonal,
    Personal,
    personal_columns,
)
from interviewloop.privacy.service import SCOPES
from tests.privacy_seed import text_columns


def test_every_text_column_of_the_schema_is_classified(connection):
    in_schema = set(text_columns(connection))
    dialect = connection.dialect.name
    classified = {(table, column) for table, columns in CATALOGUE.items() for column in columns
                  if ONLY_ON.get((table, column), dialect) == dialect}
    assert in_schema - classified == set(), "text columns not classified as personal or not"
    assert classified - in_schema == set(), "classified columns that do not exist"


def test_each_entry_says_how_or_why():
    for table, columns in CATALOGUE.items():
        for column, entry in columns.items():
            assert isinstance(entry, Personal | NotPersonal), (table, column)
            if isinstance(entry, NotPersonal):
                assert entry.why.strip(), (table, column)
            elif entry.how == How.DELETE_ROW:  # a row goes whole: all its personal columns say so
                assert all(e.how == How.DELETE_ROW for e in personal_columns()[table].values())


def test_erasure_and_export_reach_every_table_with_personal_data():
    assert set(SCOPES) == set(personal_columns())
