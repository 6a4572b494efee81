"""A wrong-typed value anywhere in the bank files is an error naming file, item and field.

Every field of the first item of every bank file (and of each of its nested mappings and
lists) gets, in turn, each value of a type it must not have; the import must refuse with a
BankImportError saying where, never crash (a list as a slug once raised "unhashable type").
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from interviewloop.bank.importer import SAFE_LOADER, BankImportError, load_bank
from interviewloop.bank.models import CapabilityArea, Question
from interviewloop.cli import DEFAULT_BANK

# file, top-level key, how an item is named in errors, the field that names it
BANK_FILES = [
    ("areas.yaml", "areas", "area", "slug"),
    ("benchmarks.yaml", "benchmarks", "benchmark", "slug"),
    ("rubric.yaml", "competencies", "competency", "slug"),
    *[(f"questions/{path.name}", "questions", "question", "slug")
      for path in sorted((DEFAULT_BANK / "questions").glob("*.yaml"))],
    ("loop_templates.yaml", "templates", "template", "level"),
    ("job_descriptions.yaml", "templates", "template", "level"),
]

WRONG_VALUES = {
    "list": lambda old: [old],
    "dict": lambda old: {"value": old},
    "int": lambda old: 7,
    "null": lambda old: None,
    "bool": lambda old: True,
    "text": lambda old: "some text",
}


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    return {list: "list", dict: "dict", int: "int", str: "text"}[type(value)]


def _paths(value: object, prefix: tuple = ()):
    """Every field path in an item: keys of mappings, and the first element of each list."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield (*prefix, key), inner
            yield from _paths(inner, (*prefix, key))
    elif isinstance(value, list) and value:
        yield (*prefix, 0), value[0]
        yield from _paths(value[0], (*prefix, 0))


def _field_named(path: tuple) -> str:
    """How an error names the field at ``path``: stage N: field 'x', field 'a.b', ..."""
    if path[0] == "stages" and len(path) >= 2:
        stage = f"stage {path[1] + 1}:"
        return stage if len(path) == 2 else f"{stage} field {path[2]!r}"
    keys = [str(p) for p in path if not isinstance(p, int)]
    return f"field {'.'.join(keys)!r}"


def _cases():
    for filename, key, noun, name_field in BANK_FILES:
        # questions files share one schema: every field in the first, the slug in all
        only_slug = filename.startswith("questions/") and filename != "questions/system-design.yaml"
        item = yaml.safe_load((DEFAULT_BANK / filename).read_text())[key][0]
        for path, old in _paths(item):
            if only_slug and path != ("slug",):
                continue
            for wrong, make in WRONG_VALUES.items():
                if wrong == _kind(old):
                    continue
                label = f"{noun} #1" if path == (name_field,) else f"{noun} {item[name_field]!r}"
                yield pytest.param(filename, key, path, make(old), label,
                                   id=f"{filename}-{'.'.join(map(str, path))}-{wrong}")


@pytest.fixture(scope="module")
def shared_bank(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("typed") / "question_bank"
    shutil.copytree(DEFAULT_BANK, target)
    return target


@pytest.fixture
def bank_dir(shared_bank):
    """The module's bank copy; whatever a test changes is put back afterwards."""
    originals = {p: p.read_bytes() for p in shared_bank.rglob("*.yaml")}
    yield shared_bank
    for path, content in originals.items():
        path.write_bytes(content)


def _read(file: Path):
    return yaml.load(file.read_text(), Loader=SAFE_LOADER)  # noqa: S506 - a safe loader


def _plant(bank: Path, filename: str, key: str, path: tuple, value: object) -> None:
    file = bank / filename
    document = _read(file)
    target = document[key][0]
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    file.write_text(yaml.dump(document, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper)))


@pytest.mark.parametrize(("filename", "key", "path", "value", "label"), list(_cases()))
def test_a_wrong_typed_value_names_file_item_and_field(bank_dir, filename, key, path, value,
                                                       label):
    _plant(bank_dir, filename, key, path, value)
    with pytest.raises(BankImportError) as raised:
        load_bank(bank_dir)
    prefix = f"question_bank/{filename}: {label}: "
    field = _field_named(path)
    assert any(e.startswith(prefix) and e[len(prefix):].startswith(field)
               for e in raised.value.errors), (prefix, field, raised.value.errors)


def test_every_field_of_every_file_is_covered():
    covered = {(c.values[0], c.values[2][0]) for c in _cases()}
    from interviewloop.bank.importer import QUESTION_FIELDS

    assert {f for name, f in covered if name == "questions/system-design.yaml"} == set(
        QUESTION_FIELDS)
    assert {f for name, f in covered if name == "loop_templates.yaml"} == {
        "level", "name", "description", "stages"}
    assert {f for name, f in covered if name == "job_descriptions.yaml"} == {
        "level", "title", "role_summary", "what_you_will_do", "what_we_are_looking_for"}
    assert {c.values[2] for c in _cases() if c.values[0] == "loop_templates.yaml"} >= {
        ("stages", 0, f) for f in ("name", "category", "minutes", "questions", "focus")}


@pytest.mark.parametrize(("text", "where"), [
    ("areas: [[a, b], {slug: x}]\n", "area #1: must be a mapping"),
    ("- just\n- a list\n", "file: needs a top-level list named 'areas'"),
    ("? [a, b]\n: unhashable key\n", "file: is not valid YAML"),
])
def test_a_wrong_shaped_document_or_item_is_an_error(bank_dir, text, where):
    (bank_dir / "areas.yaml").write_text(text)
    with pytest.raises(BankImportError) as raised:
        load_bank(bank_dir)
    assert any(e.startswith(f"question_bank/areas.yaml: {where}") for e in raised.value.errors), (
        raised.value.errors)


def test_the_same_wrong_typed_slug_twice_is_reported_not_crashed(bank_dir):
    def change(document):
        document["questions"][0]["slug"] = ["same"]
        document["questions"][1]["slug"] = ["same"]
        document["questions"][2]["category"] = {"system_design": True}

    file = bank_dir / "questions" / "system-design.yaml"
    document = _read(file)
    change(document)
    file.write_text(yaml.safe_dump(document))
    with pytest.raises(BankImportError) as raised:
        load_bank(bank_dir)
    errors = raised.value.errors
    assert any(e.startswith("question_bank/questions/system-design.yaml: question #1: field 'slug'")
               for e in errors)
    assert any(e.startswith("question_bank/questions/system-design.yaml: question #2: field 'slug'")
               for e in errors)
    assert any(": field 'category'" in e for e in errors)


@pytest.mark.parametrize(("filename", "key", "path"), [
    pytest.param(*case, id=f"{case[0]}-{'.'.join(map(str, case[2]))}") for case in [
    ("areas.yaml", "areas", ("slug",)),
    ("rubric.yaml", "competencies", ("area",)),
    ("questions/system-design.yaml", "questions", ("category",)),
    ("loop_templates.yaml", "templates", ("level",)),
    ("loop_templates.yaml", "templates", ("stages", 0, "focus", 0)),
    ("job_descriptions.yaml", "templates", ("what_you_will_do",)),
]])
def test_cli_prints_the_errors_and_imports_nothing(app, connection, db_session, bank_dir, filename,
                                                   key, path):
    document = _read(bank_dir / filename)
    old = document[key][0]
    for step in path:
        old = old[step]
    _plant(bank_dir, filename, key, path, [old] if not isinstance(old, list) else "text")
    result = app.test_cli_runner().invoke(args=["import-questions", str(bank_dir)])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)  # a ClickException, not a crash
    assert "Traceback" not in result.output
    assert f"question_bank/{filename}: " in result.output
    assert _field_named(path) in result.output
    assert "nothing was imported" in result.output
    assert db_session.scalar(select(func.count()).select_from(Question)) == 0
    assert db_session.scalar(select(func.count()).select_from(CapabilityArea)) == 0
