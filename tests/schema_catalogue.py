"""What a database really holds for CHECK constraints and indexes, read from its catalogue.

Alembic's comparison ignores CHECK constraints and partial-index predicates, so
tests/test_schema_drift.py compares these catalogues instead: the migrated database's
against one that ``Base.metadata.create_all`` built on the same kind of server. Both
sides then went through the same compiler and the same server (PostgreSQL rewrites
``IN (...)`` as ``= ANY (ARRAY[...])`` and adds ``::text`` casts; SQLite keeps the text
as given), and ``normalise_sql`` only has to even out spelling: whitespace, case,
identifier quoting and redundant outer parentheses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.engine import Connection


@dataclass(frozen=True)
class IndexShape:
    columns: tuple[str, ...]
    unique: bool
    where: str | None  # the predicate of a partial index, normalised
    using: str = "btree"  # the access method (PostgreSQL's GIN index of bank search)


@dataclass
class TableCatalogue:
    checks: dict[str, str]  # constraint name (or "<unnamed N>") -> normalised expression
    indexes: dict[str, IndexShape]  # indexes that do not back a PK/UNIQUE constraint
    triggers: dict[str, str] = field(default_factory=dict)  # SQLite's: name -> normalised SQL


Catalogue = dict[str, TableCatalogue]

# Strings first, so that nothing inside a literal is taken for a word or a parenthesis.
_TOKEN = re.compile(r"""
    (?P<string>'(?:[^']|'')*')
  | (?P<quoted>"(?:[^"]|"")*"|`[^`]*`|\[[^\]]*\])
  | (?P<word>[A-Za-z_][A-Za-z0-9_$]*)
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<space>\s+)
  | (?P<op>::|<>|!=|<=|>=|\|\||.)
""", re.VERBOSE | re.DOTALL)


def tokens(sql: str) -> list[str]:
    """SQL tokens without whitespace; unquoted words lower-cased, quoted ones unquoted."""
    out = []
    for match in _TOKEN.finditer(sql):
        kind, value = match.lastgroup, match.group()
        if kind == "space":
            continue
        if kind == "word":
            value = value.lower()
        elif kind == "quoted":
            value = value[1:-1].replace('""', '"')
        out.append(value)
    return out


def _closing(toks: list[str], start: int) -> int:
    """The index of the parenthesis closing the one at ``start``."""
    depth = 0
    for i in range(start, len(toks)):
        depth += {"(": 1, ")": -1}.get(toks[i], 0)
        if depth == 0:
            return i
    raise ValueError(f"unbalanced parentheses in {' '.join(toks)!r}")


def _strip_outer_parens(toks: list[str]) -> list[str]:
    while toks and toks[0] == "(" and _closing(toks, 0) == len(toks) - 1:
        toks = toks[1:-1]
    return toks


def _join(toks: list[str]) -> str:
    text_ = ""
    for tok in toks:
        glue = not text_ or text_.endswith("(") or tok in {")", ","} or (
            tok == "(" and re.fullmatch(r"\w", text_[-1]) is not None)
        text_ += tok if glue else " " + tok
    return text_


def normalise_sql(sql: str) -> str:
    return _join(_strip_outer_parens(tokens(sql)))


def _split_top_level(toks: list[str]) -> list[list[str]]:
    parts: list[list[str]] = [[]]
    depth = 0
    for tok in toks:
        depth += {"(": 1, ")": -1}.get(tok, 0)
        if tok == "," and depth == 0:
            parts.append([])
        else:
            parts[-1].append(tok)
    return parts


# --- SQLite: parse the CREATE statements kept in sqlite_master -------------------------------

def sqlite_checks(create_table: str) -> dict[str, str]:
    """Every CHECK in a CREATE TABLE statement, table- or column-level, named or not."""
    toks = tokens(create_table)
    checks: dict[str, str] = {}
    unnamed = 0
    for i, tok in enumerate(toks):
        if tok != "check" or i + 1 >= len(toks) or toks[i + 1] != "(":
            continue
        end = _closing(toks, i + 1)
        if i >= 2 and toks[i - 2] == "constraint":
            name = toks[i - 1]
        else:
            unnamed += 1
            name = f"<unnamed {unnamed}>"
        checks[name] = _join(_strip_outer_parens(toks[i + 2:end]))
    return checks


def sqlite_index(create_index: str) -> tuple[str, IndexShape]:
    """(table, shape) of ``CREATE [UNIQUE] INDEX [IF NOT EXISTS] name ON table (...) [WHERE ...]``."""
    toks = tokens(create_index)
    on = toks.index("on")
    table, open_paren = toks[on + 1], on + 2
    close = _closing(toks, open_paren)
    columns = tuple(_join(part) for part in _split_top_level(toks[open_paren + 1:close]))
    rest = toks[close + 1:]
    where = _join(_strip_outer_parens(rest[1:])) if rest[:1] == ["where"] else None
    return table, IndexShape(columns, toks[1] == "unique", where)


def _sqlite_catalogue(conn: Connection) -> Catalogue:
    catalogue: Catalogue = {}
    rows = conn.execute(text(
        "SELECT type, name, tbl_name, sql FROM sqlite_master "
        "WHERE type IN ('table', 'index', 'trigger') AND name NOT LIKE 'sqlite_%' "
        "AND sql IS NOT NULL ORDER BY type <> 'table'")).all()  # tables first
    for kind, name, table, sql in rows:
        if kind == "table":
            catalogue[name] = TableCatalogue(sqlite_checks(sql), {})
        elif kind == "trigger":
            catalogue[table].triggers[name] = normalise_sql(sql)
        else:
            _, shape = sqlite_index(sql)
            catalogue[table].indexes[name] = shape
    return catalogue


# --- PostgreSQL: pg_constraint and pg_index --------------------------------------------------

_PG_TABLES = text("""
    SELECT c.relname FROM pg_class c
    WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
""")
_PG_CHECKS = text("""
    SELECT t.relname, con.conname, pg_get_constraintdef(con.oid, true)
    FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid
    WHERE con.contype = 'c' AND t.relnamespace = current_schema()::regnamespace
""")
# Indexes made by PRIMARY KEY / UNIQUE / EXCLUDE constraints are those constraints, which
# Alembic compares; the rest are the CREATE INDEX ones, partial or not. A key's operator
# class follows it unless it is its type's default (gin_trgm_ops is not).
_PG_INDEXES = text("""
    SELECT t.relname, i.relname, ix.indisunique, pg_get_expr(ix.indpred, ix.indrelid, true),
           ARRAY(SELECT pg_get_indexdef(ix.indexrelid, k, true)
                        || CASE WHEN opc.opcdefault THEN '' ELSE ' ' || opc.opcname END
                 FROM generate_series(1, ix.indnkeyatts) AS k
                 JOIN pg_opclass opc ON opc.oid = ix.indclass[k - 1] ORDER BY k),
           am.amname
    FROM pg_index ix
    JOIN pg_class i ON i.oid = ix.indexrelid
    JOIN pg_am am ON am.oid = i.relam
    JOIN pg_class t ON t.oid = ix.indrelid
    WHERE t.relnamespace = current_schema()::regnamespace
      AND NOT EXISTS (SELECT 1 FROM pg_constraint con
                      WHERE con.conindid = ix.indexrelid AND con.conrelid = ix.indrelid
                        AND con.contype IN ('p', 'u', 'x'))
""")


def _pg_catalogue(conn: Connection) -> Catalogue:
    catalogue: Catalogue = {name: TableCatalogue({}, {}) for (name,) in conn.execute(_PG_TABLES)}
    for table, name, definition in conn.execute(_PG_CHECKS):
        # "CHECK (expr)", possibly followed by NOT VALID / NO INHERIT, which then differ.
        assert definition.startswith("CHECK "), definition
        catalogue[table].checks[name] = normalise_sql(definition.removeprefix("CHECK "))
    for table, name, unique, where, columns, using in conn.execute(_PG_INDEXES):
        catalogue[table].indexes[name] = IndexShape(
            tuple(normalise_sql(c) for c in columns), unique,
            None if where is None else normalise_sql(where), using)
    return catalogue


def read_catalogue(conn: Connection) -> Catalogue:
    """Tables (without alembic_version) -> their CHECK constraints and indexes."""
    read = _sqlite_catalogue if conn.dialect.name == "sqlite" else _pg_catalogue
    catalogue = read(conn)
    catalogue.pop("alembic_version", None)
    return catalogue


def differences(expected: Catalogue, actual: Catalogue) -> list[tuple]:
    """(what, table, name, expected, actual) for each table, CHECK or index that differs;
    None stands for missing."""
    found: list[tuple] = []
    for table in sorted(expected.keys() | actual.keys()):
        want, have = expected.get(table), actual.get(table)
        if want is None or have is None:
            found.append(("table", table, None, want is not None, have is not None))
            continue
        for what, want_items, have_items in (("check", want.checks, have.checks),
                                             ("index", want.indexes, have.indexes),
                                             ("trigger", want.triggers, have.triggers)):
            for name in sorted(want_items.keys() | have_items.keys()):
                if want_items.get(name) != have_items.get(name):
                    found.append((what, table, name, want_items.get(name), have_items.get(name)))
    return found
