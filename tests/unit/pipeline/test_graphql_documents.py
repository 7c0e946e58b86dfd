"""Every GraphQL document the pipeline sends to Consonance is valid against the emulator's schema,
and none reads a name the emulator's schema marks ``# guess, not published`` (a name Consonance's
published schema lacks, kept only for the emulator's own use).

The documents are found by reading the package's source (module-level string constants that
are GraphQL operations), so a document added or moved anywhere under ``titlevideo/`` is checked.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from graphql import (
    GraphQLSchema,
    TypeInfo,
    Visitor,
    build_schema,
    get_named_type,
    parse,
    validate,
    visit,
)
from graphql.utilities import TypeInfoVisitor

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]
SDL = ROOT / "emulators" / "consonance" / "schema.graphql"
_OPERATION = re.compile(r"^\s*(query|mutation)\b")


def pipeline_documents() -> dict[str, str]:
    """``module:NAME`` -> document, for every module-level GraphQL constant in titlevideo/."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "titlevideo").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
                and _OPERATION.match(node.value.value)
            ):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        rel = path.relative_to(ROOT).with_suffix("")
                        found[f"{'.'.join(rel.parts)}:{target.id}"] = node.value.value
    return found


def not_published(sdl: str) -> set[tuple[str, str]]:
    """(type, field) pairs the SDL marks ``# guess, not published``."""
    marked: set[tuple[str, str]] = set()
    current = None
    for line in sdl.splitlines():
        m = re.match(r"^(?:type|input|interface)\s+(\w+)", line)
        if m:
            current = m.group(1)
        elif line.startswith("}"):
            current = None
        elif current and "# guess, not published" in line:
            field = re.match(r"^\s+(\w+)", line)
            assert field, line
            marked.add((current, field.group(1)))
    return marked


def fields_read(schema: GraphQLSchema, document: str) -> set[tuple[str, str]]:
    """(parent type, field) for every field selected and every input field written literally."""
    info = TypeInfo(schema)
    used: set[tuple[str, str]] = set()

    class Collect(Visitor):
        def enter_field(self, node, *_):
            parent = info.get_parent_type()
            if parent is not None:
                used.add((parent.name, node.name.value))

        def enter_object_field(self, node, *_):
            parent = info.get_parent_input_type()
            if parent is not None:
                used.add((get_named_type(parent).name, node.name.value))

    visit(parse(document), TypeInfoVisitor(info, Collect()))
    return used


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema(SDL.read_text(encoding="utf-8"))


def test_the_pipeline_documents_are_found():
    operations = {
        op.name.value
        for doc in pipeline_documents().values()
        for op in parse(doc).definitions
        if getattr(op, "name", None) is not None
    }
    # extraction, the sync's writes and read-backs, the backfill's season lookups
    assert {
        "ExtractWorks",
        "CreateWebLink",
        "DeleteWebLink",
        "CreateMarketingText",
        "ProductLinks",
        "SeasonWorks",
    } <= operations


def test_every_pipeline_document_validates(schema):
    errors = {
        name: [e.message for e in validate(schema, parse(doc))]
        for name, doc in pipeline_documents().items()
    }
    assert {k: v for k, v in errors.items() if v} == {}


def test_the_marks_are_read():
    marked = not_published(SDL.read_text(encoding="utf-8"))
    assert {
        ("WebLink", "productId"),
        ("WebLink", "workId"),
        ("WebLink", "contactId"),
        ("Work", "webLinks"),
    } <= marked


def test_no_pipeline_document_reads_a_name_the_published_schema_lacks(schema):
    marked = not_published(SDL.read_text(encoding="utf-8"))
    offending = {
        name: sorted(fields_read(schema, doc) & marked)
        for name, doc in pipeline_documents().items()
    }
    assert {k: v for k, v in offending.items() if v} == {}
