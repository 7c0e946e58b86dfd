"""Preflight of Consonance: authentication, the server's schema by introspection, and every
GraphQL document the pipeline sends, validated and compared field by field with the schema the
pipeline is built against (or, when introspection is refused, one dry call per document)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any

import requests

from titlevideo.config import ConfigError
from titlevideo.connections import Endpoint
from titlevideo.preflight.report import CONSONANCE, Finding, Mismatch
from titlevideo.transport import ApiError


def reference_schema() -> Any:
    """The schema the pipeline is built and tested against: the Consonance emulator's SDL."""
    from importlib.resources import files

    from graphql import build_schema

    sdl = (files("emulators.consonance") / "schema.graphql").read_text(encoding="utf-8")
    return build_schema(sdl)


def _shape(t: Any) -> str:
    """A type without its non-null marks: ``[String]`` for ``[String!]!``."""
    return str(t).replace("!", "")


def _compare_type(document: str, path: str, expected: Any, found: Any, out: list[Mismatch]) -> None:
    if _shape(expected) != _shape(found):
        out.append(Mismatch(document, path, str(expected), str(found)))
    elif str(expected) != str(found):
        out.append(Mismatch(document, path, str(expected), str(found), "warning"))


def _missing(parent: Any, name: str, expected: Any, reference_parent: Any) -> str:
    """No such field; with the likeliest new name: a field the pipeline's schema does not
    have, of the same type, else the closest name."""
    fields = getattr(parent, "fields", {})
    known = getattr(reference_parent, "fields", {})
    new = [f for f, d in fields.items() if f not in known and _shape(d.type) == _shape(expected)]
    close = difflib.get_close_matches(name, new, n=1, cutoff=0.0) or difflib.get_close_matches(
        name, list(fields), n=1
    )
    return f"no field {name!r} on {parent.name}" + (f" (closest: {close[0]!r})" if close else "")


def compare_document(name: str, document: str, server: Any, reference: Any) -> list[Mismatch]:
    """Every field, argument and variable type of ``document`` on ``server`` against
    ``reference``, plus graphql-core's validation of the document on ``server``."""
    from graphql import (
        GraphQLInputObjectType,
        TypeInfo,
        Visitor,
        get_named_type,
        parse,
        validate,
        visit,
    )
    from graphql.utilities import TypeInfoVisitor

    doc = parse(document)
    info = TypeInfo(reference)
    out: list[Mismatch] = []
    path: list[str] = []
    reported_types: set[str] = set()

    def server_type(ref_named: Any) -> Any:
        found = server.get_type(ref_named.name)
        if found is None and ref_named.name not in reported_types:
            reported_types.add(ref_named.name)
            out.append(Mismatch(name, ref_named.name, f"type {ref_named.name}", "no such type"))
        return found

    def compare_input(type_name: str, where: str, seen: set[str]) -> None:
        ref = reference.get_type(type_name)
        if not isinstance(ref, GraphQLInputObjectType) or type_name in seen:
            return
        seen.add(type_name)
        found = server_type(ref)
        if not isinstance(found, GraphQLInputObjectType):
            return
        for fname, ffield in ref.fields.items():
            if fname not in found.fields:
                # the pipeline may send it: the server would refuse the variables
                out.append(
                    Mismatch(
                        name, f"{where}.{fname}", str(ffield.type), "no such input field", "warning"
                    )
                )
                continue
            _compare_type(name, f"{where}.{fname}", ffield.type, found.fields[fname].type, out)
            compare_input(get_named_type(ffield.type).name, f"{where}.{fname}", seen)

    class Walk(Visitor):
        def enter_field(self, node: Any, *_: Any) -> None:
            parent, ref_field = info.get_parent_type(), info.get_field_def()
            path.append(node.name.value)
            if parent is None or ref_field is None or node.name.value.startswith("__"):
                return
            here = ".".join(path)
            found_parent = server_type(get_named_type(parent))
            if found_parent is None:
                return
            found_field = getattr(found_parent, "fields", {}).get(node.name.value)
            if found_field is None:
                out.append(
                    Mismatch(
                        name,
                        here,
                        str(ref_field.type),
                        _missing(found_parent, node.name.value, ref_field.type, parent),
                    )
                )
                return
            _compare_type(name, here, ref_field.type, found_field.type, out)
            for arg in node.arguments or ():
                ref_arg = ref_field.args.get(arg.name.value)
                found_arg = found_field.args.get(arg.name.value)
                where = f"{here}({arg.name.value}:)"
                if ref_arg is None:
                    continue
                if found_arg is None:
                    out.append(Mismatch(name, where, str(ref_arg.type), "no such argument"))
                else:
                    _compare_type(name, where, ref_arg.type, found_arg.type, out)

        def leave_field(self, *_: Any) -> None:
            path.pop()

        def enter_inline_fragment(self, node: Any, *_: Any) -> None:
            if node.type_condition is not None:
                path.append(f"... on {node.type_condition.name.value}")

        def leave_inline_fragment(self, node: Any, *_: Any) -> None:
            if node.type_condition is not None:
                path.pop()

        def enter_variable_definition(self, node: Any, *_: Any) -> None:
            ref_type = info.get_input_type()
            if ref_type is not None:
                compare_input(get_named_type(ref_type).name, f"${node.variable.name.value}", set())

    visit(doc, TypeInfoVisitor(info, Walk()))
    if not any(m.severity == "error" for m in out):
        # anything the comparison above does not see (a new required argument...)
        out.extend(
            Mismatch(name, "(document)", "a valid document", e.message)
            for e in validate(server, doc)
        )
    return out


def check_consonance(
    endpoint: Endpoint,
    documents: Mapping[str, str] | None = None,
    session: requests.Session | None = None,
) -> list[Finding]:
    from graphql import build_client_schema, get_introspection_query

    from titlevideo.consonance.client import ConsonanceClient, GraphQLError

    if documents is None:
        from titlevideo.consonance.queries import DOCUMENTS

        documents = DOCUMENTS
    client = ConsonanceClient(endpoint, session)
    try:
        client.execute("query Preflight { __typename }", operation="Preflight")
    except (ApiError, ConfigError) as exc:
        return [Finding(CONSONANCE, "authentication", False, str(exc))]
    findings = [Finding(CONSONANCE, "authentication", True, "the API key is accepted")]
    try:
        data = client.execute(get_introspection_query(), operation="IntrospectionQuery")
        server = build_client_schema(data)  # type: ignore[arg-type]
    except GraphQLError as exc:
        findings.append(
            Finding(
                CONSONANCE,
                "schema by introspection",
                True,
                f"introspection is disabled ({exc.server_message[:160]}); "
                "falling back to one dry call per document",
            )
        )
        findings.extend(_dry_calls(client, documents))
        return findings
    findings.append(
        Finding(CONSONANCE, "schema by introspection", True, f"{len(server.type_map)} types")
    )
    reference = reference_schema()
    for name, document in documents.items():
        mismatches = compare_document(name, document, server, reference)
        errors = [m for m in mismatches if m.severity == "error"]
        findings.append(
            Finding(
                CONSONANCE,
                f"document {name}",
                not errors,
                "valid"
                if not mismatches
                else f"{len(errors)} mismatches, {len(mismatches) - len(errors)} warnings",
                mismatches,
            )
        )
    return findings


#: what servers say of a required variable left out (graphql-core, graphql-js, graphql-ruby):
#: the document itself was valid
_MISSING_VARIABLE = re.compile(
    r"^Variable ['\"]?\$\w+['\"]? .*(not provided|to be provided|invalid value)", re.IGNORECASE
)


def _dry_calls(client: Any, documents: Mapping[str, str]) -> list[Finding]:
    """Without introspection: a query reads its first page; a mutation goes without its
    variables, so the server validates it and stops at the missing input."""
    from graphql import OperationType, parse

    from titlevideo.consonance.client import GraphQLError

    findings = []
    for name, document in documents.items():
        (op,) = parse(document).definitions
        mutation = getattr(op, "operation", None) == OperationType.MUTATION
        try:
            client.execute(document, {}, getattr(getattr(op, "name", None), "value", None))
        except GraphQLError as exc:
            messages = [m.strip() for m in exc.server_message.split(";") if m.strip()]
            if mutation and messages and all(_MISSING_VARIABLE.match(m) for m in messages):
                findings.append(Finding(CONSONANCE, f"document {name}", True, "valid (dry call)"))
                continue
            findings.append(
                Finding(
                    CONSONANCE,
                    f"document {name}",
                    False,
                    "refused",
                    [Mismatch(name, "(document)", "a valid document", m) for m in messages],
                )
            )
            continue
        except ApiError as exc:
            findings.append(Finding(CONSONANCE, f"document {name}", False, str(exc)))
            continue
        findings.append(Finding(CONSONANCE, f"document {name}", True, "one page read (dry call)"))
    return findings
