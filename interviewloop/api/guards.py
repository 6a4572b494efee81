"""Checks on an API request's JSON body before any view reads it.

PostgreSQL text cannot hold a NUL character: a JSON string with one ("\\u0000") would fail
in the database (a 500). The pages refuse NUL in forms and query strings (security.py); this
refuses it in JSON bodies, as a 422 naming the field."""

from __future__ import annotations

from typing import Any

from flask import request

from interviewloop.api.problems import ApiProblem


def nul_field(value: Any, path: str = "") -> str | None:
    """The first field (dotted path) whose name or text holds a NUL, else None."""
    if isinstance(value, str):
        return (path or "body") if "\x00" in value else None
    items: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        items = [(str(key), item) for key, item in value.items()]
    elif isinstance(value, list):
        items = [(str(index), item) for index, item in enumerate(value)]
    for key, item in items:
        name = f"{path}.{key}" if path else key
        if "\x00" in key:
            return name
        found = nul_field(item, name)
        if found is not None:
            return found
    return None


def refuse_nul_in_json() -> None:
    if not request.is_json:
        return
    field = nul_field(request.get_json(silent=True))
    if field is not None:
        raise ApiProblem(422, "The request contains a NUL character, which no field accepts.",
                         field=field)
