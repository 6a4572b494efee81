"""What a database constraint means to a person, for when one fires.

Services check their rules first and say what is wrong; the database's constraints hold
the same rules for any code path and for races the services' checks cannot see (two
people creating the same email at once). When a constraint fires, the request is refused
with the message registered here for it, never a 500. Each feature registers messages
next to its models (``explain``); a test checks every named constraint has one."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import CheckConstraint, MetaData, PrimaryKeyConstraint, UniqueConstraint
from sqlalchemy.exc import IntegrityError


@dataclass(frozen=True)
class Explanation:
    status: int  # 409: it clashes with what exists; 422: a value breaks a rule
    message: str


_EXPLANATIONS: dict[str, Explanation] = {}
# Constraints SQLite does not name in its errors.
FOREIGN_KEY = Explanation(409, "Something this refers to was changed or removed a moment "
                               "ago. Reload the page and try again.")
NOT_NULL = Explanation(422, "A required value is missing.")
UNKNOWN = Explanation(409, "This clashes with a change made a moment ago. Reload the page and "
                           "try again.")


def explain(name: str, message: str, *, status: int = 409) -> None:
    _EXPLANATIONS[name] = Explanation(status, message)


# CHECKs named after what they hold (the naming convention puts the table first).
_RULE_SUFFIXES = {
    "_length": "{field} is empty or too long.",
    "_range": "{field} is out of range.",
    "_nonnegative": "{field} cannot be negative.",
    "_known": "{field} is not one of the known values.",
}


def explanation_for(name: str | None, metadata: MetaData) -> Explanation:
    """What to tell the person; every named constraint has an answer (a test holds it)."""
    if name is None:
        return UNKNOWN
    if name in _EXPLANATIONS:
        return _EXPLANATIONS[name]
    if name.startswith("fk_"):
        return FOREIGN_KEY
    for table in metadata.tables.values():
        check = next((c for c in table.constraints if isinstance(c, CheckConstraint)
                      and c.name == name), None)
        if check is None:
            continue
        rule = name.removeprefix(f"ck_{table.name}_")
        if rule in table.columns:  # an enum's CHECK carries the column's name
            return Explanation(422, f"{_words(rule)} is not one of the known values.")
        for suffix, message in _RULE_SUFFIXES.items():
            if rule.endswith(suffix):
                return Explanation(422, message.format(field=_words(rule.removesuffix(suffix))))
    return UNKNOWN


def _words(name: str) -> str:
    return name.replace("_", " ").capitalize()


def violated(exc: IntegrityError, metadata: MetaData) -> str | None:
    """The name of the constraint that refused the statement, on PostgreSQL or SQLite."""
    diag = getattr(exc.orig, "diag", None)
    if diag is not None:  # psycopg names it
        return getattr(diag, "constraint_name", None)
    text = str(exc.orig)
    if match := re.search(r"CHECK constraint failed: (\w+)", text):
        return match.group(1)
    if match := re.search(r"UNIQUE constraint failed: index '(\w+)'", text):
        return match.group(1)
    if match := re.search(r"UNIQUE constraint failed: ([\w., ]+)", text):
        columns = [part.strip().split(".") for part in match.group(1).split(",")]
        return _unique_named(metadata, columns[0][0], {c for _t, c in columns})
    return "fk_" if "FOREIGN KEY constraint failed" in text else None


def _unique_named(metadata: MetaData, table_name: str, columns: set[str]) -> str | None:
    table = metadata.tables.get(table_name)
    if table is None:
        return None
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint | PrimaryKeyConstraint) and \
                {c.name for c in constraint.columns} == columns:
            return str(constraint.name)
    for index in table.indexes:
        if index.unique and {c.name for c in index.columns} == columns:
            return str(index.name)
    return None


def named_constraints(metadata: MetaData) -> set[str]:
    """Every unique, primary-key and CHECK constraint and unique index a person could hit."""
    names = set()
    for table in metadata.tables.values():
        for constraint in table.constraints:
            if isinstance(constraint, UniqueConstraint | CheckConstraint) or (
                    isinstance(constraint, PrimaryKeyConstraint) and len(constraint.columns) > 1):
                names.add(str(constraint.name))
        names |= {str(index.name) for index in table.indexes if index.unique}
    return names
