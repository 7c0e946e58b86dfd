"""Every valid operation the schema allows gets a clean answer: no errors, no stack traces.

Operations are generated from the served schema (introspection) with hypothesis-graphql,
deterministically (``derandomize``), and sent over HTTP. Inputs are valid by construction, so
any error at all (a resolver crash, a failed coercion, a 500) fails the test.
"""

from __future__ import annotations

import pytest
from graphql import (
    OperationDefinitionNode,
    build_client_schema,
    get_introspection_query,
    parse,
    print_schema,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import mutations, nodes, queries

pytestmark = pytest.mark.integration

SCALARS = {
    "ISO8601Date": st.sampled_from(["2026-06-01", "2000-01-01", "2031-12-31"]).map(nodes.String),
    "ISO8601DateTime": st.just("2026-06-01T09:30:00Z").map(nodes.String),
    "URL": st.sampled_from(["https://media.example/a.jpg", "not a url", ""]).map(nodes.String),
}
FUZZ = settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)


def root_fields(document: str) -> list[tuple[str, str]]:
    """(response name, field name) of the operation's root fields, in order."""
    (op,) = [d for d in parse(document).definitions if isinstance(d, OperationDefinitionNode)]
    return [((sel.alias or sel.name).value, sel.name.value) for sel in op.selection_set.selections]  # type: ignore[union-attr]


def root_names(document: str) -> set[str]:
    return {name for name, _ in root_fields(document)}


@pytest.fixture
def served_sdl(emu) -> str:
    introspection = emu.data(get_introspection_query())
    return print_schema(build_client_schema(introspection))


def test_generated_queries_answer_without_errors(emu, served_sdl):
    @FUZZ
    @given(queries(served_sdl, custom_scalars=SCALARS))
    def check(query: str) -> None:
        r = emu.post_graphql(query)
        assert r.status_code == 200, (query, r.text)
        body = r.json()
        assert "errors" not in body, (query, body["errors"])
        assert set(body["data"]) == root_names(query)

    check()


def test_generated_mutations_answer_without_top_level_errors(emu, served_sdl):
    calls = []

    @FUZZ
    @given(mutations(served_sdl, custom_scalars=SCALARS))
    def check(mutation: str) -> None:
        calls.extend(field for _, field in root_fields(mutation))
        r = emu.post_graphql(mutation)
        assert r.status_code == 200, (mutation, r.text)
        body = r.json()
        assert "errors" not in body, (mutation, body["errors"])
        assert set(body["data"]) == root_names(mutation)
        assert all(
            isinstance(payload, dict) and isinstance(payload.get("errors", []), list)
            for payload in body["data"].values()
        )

    check()
    # every call reached its mutation and was logged, in order
    assert [e["operation"] for e in emu.writes()] == calls
