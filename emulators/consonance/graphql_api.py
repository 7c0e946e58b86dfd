"""``POST /graphql``: the schema from ``schema.graphql`` with resolvers attached, and its executor.

Records are plain dicts (see ``store``), so most fields resolve by key. Only fields that take
arguments, the root fields and the mutations have resolvers. Parsed and validated documents are
cached by their text, so a client paging with the same query and new variables pays for parsing
and validation once.
"""

from __future__ import annotations

import contextlib
import gc
import json
import math
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    StringValueNode,
    build_schema,
    parse,
    specified_rules,
    validate,
)
from graphql.execution import ExecutionResult, execute
from graphql.validation import NoSchemaIntrospectionCustomRule

from . import mutations
from .executor import FastExecutor
from .markup import strip_html
from .store import PAGE_CAP, ConsonanceState, Search, price_matches, product_predicate

SCHEMA_PATH = Path(__file__).with_name("schema.graphql")


@dataclass
class Context:
    state: ConsonanceState
    on: date
    base_url: str


# ------------------------------------------------------------------------------------------------
# Scalars and enums
# ------------------------------------------------------------------------------------------------


def _date_out(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value if isinstance(value, str) else str(value)  # fixture values pass through


def _date_in(value: Any) -> date:
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise GraphQLError(f"ISO8601Date must be a date string YYYY-MM-DD; got {json.dumps(value)}")


def _date_literal(node: Any, _variables: Any = None) -> date:
    if isinstance(node, StringValueNode):
        return _date_in(node.value)
    raise GraphQLError("ISO8601Date must be a string literal")


def _datetime_out(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat() + "T00:00:00Z"
    return value if isinstance(value, str) else str(value)


def _datetime_in(value: Any) -> datetime:
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
    raise GraphQLError(
        f"ISO8601DateTime must be an ISO 8601 date-time string; got {json.dumps(value)}"
    )


def _url_in(value: Any) -> str:
    # Any string is accepted here: mutations validate URLs and answer payload errors.
    if isinstance(value, str):
        return value
    raise GraphQLError(f"URL must be a string; got {json.dumps(value)}")


def _url_literal(node: Any, _variables: Any = None) -> str:
    if isinstance(node, StringValueNode):
        return node.value
    raise GraphQLError("URL must be a string literal")


def _lenient_enum(enum: GraphQLEnumType) -> None:
    """Known values serialise as usual; any other string (a fixture's malformed value) passes through."""
    strict = enum.coerce_output_value

    def coerce(value: Any) -> Any:
        if isinstance(value, str) and value not in enum.values:
            return value
        return strict(value)

    enum.coerce_output_value = coerce  # type: ignore[method-assign]
    enum.serialize = coerce  # type: ignore[method-assign]


# ------------------------------------------------------------------------------------------------
# Resolvers
# ------------------------------------------------------------------------------------------------


def _search(
    work: Any = None, product: Any = None, price: Any = None, works_need_product: bool = False
) -> Search:
    return Search(
        work=dict(work or {}),
        product=dict(product or {}),
        price=dict(price or {}),
        works_need_product=works_need_product,
    )


def resolve_works(
    _root: Any, info: Any, workSearch: Any = None, productSearch: Any = None
) -> list[dict[str, Any]]:
    ctx: Context = info.context
    return ctx.state.search_works(
        ctx.on, _search(workSearch, productSearch, works_need_product=productSearch is not None)
    )


def resolve_work(
    _root: Any, info: Any, workSearch: Any = None, productSearch: Any = None
) -> dict[str, Any] | None:
    ctx: Context = info.context
    found = ctx.state.search_works(
        ctx.on,
        _search(workSearch, productSearch, works_need_product=productSearch is not None),
        limit=1,
    )
    return found[0] if found else None


def resolve_products(
    _root: Any,
    info: Any,
    productSearch: Any = None,
    workSearch: Any = None,
    priceSearch: Any = None,
) -> list[dict[str, Any]]:
    ctx: Context = info.context
    return ctx.state.search_products(ctx.on, _search(workSearch, productSearch, priceSearch))


def resolve_product(
    _root: Any,
    info: Any,
    productSearch: Any = None,
    workSearch: Any = None,
    priceSearch: Any = None,
) -> dict[str, Any] | None:
    ctx: Context = info.context
    found = ctx.state.search_products(
        ctx.on, _search(workSearch, productSearch, priceSearch), limit=1
    )
    return found[0] if found else None


def resolve_work_products(work: dict[str, Any], info: Any, productSearch: Any = None) -> Any:
    products = work.get("products")
    if not productSearch or not isinstance(products, list):
        return products
    ctx: Context = info.context
    pred = product_predicate(dict(productSearch), ctx.on, ctx.state)
    return [p for p in products if pred(p)]


def resolve_prices(product: dict[str, Any], _info: Any, priceSearch: Any = None) -> Any:
    prices = product.get("prices")
    if not priceSearch or not isinstance(prices, list):
        return prices
    return [p for p in prices if isinstance(p, dict) and price_matches(p, dict(priceSearch))]


def resolve_marketing_texts(rec: dict[str, Any], _info: Any, variantIn: Any = None) -> Any:
    texts = rec.get("marketingTexts")
    if not variantIn or not isinstance(texts, list):
        return texts
    wanted = set(variantIn)
    return [t for t in texts if isinstance(t, dict) and t.get("variant") in wanted]


_SCHEME_KEYS = (("BIC", "bics", "BIC"), ("BISAC", "bisacs", "BISAC"), ("THEMA", "themas", "Thema"))


def resolve_subject_codes(
    work: dict[str, Any], _info: Any, schemesIn: Any = None, mainOnly: Any = None
) -> list[dict[str, Any]]:
    from .store import _BISAC, _THEMA

    out: list[dict[str, Any]] = []
    for scheme, key, typename in _SCHEME_KEYS:
        if schemesIn and scheme not in schemesIn:
            continue
        values = work.get(key) or []
        for n, code in enumerate(values if not mainOnly else values[:1]):
            rec: dict[str, Any] = {"__typename": typename, "code": code, "main": n == 0}
            if scheme == "THEMA":
                description, parent = _THEMA.get(code, (None, None))
                rec.update(description=description, parentCode=parent)
            elif scheme == "BISAC":
                rec["description"] = _BISAC.get(code)
            else:
                rec["description"] = None
            out.append(rec)
    return out


def _date_string(key: str) -> Callable[..., Any]:
    def resolve(product: dict[str, Any], _info: Any, directives: Any = None) -> Any:
        value = product.get(key)
        if not isinstance(value, date):
            return value if value is None else str(value)
        if directives is None:
            return value.isoformat()
        try:
            return value.strftime(directives)
        except ValueError:
            return None

    return resolve


def _measure(key: str) -> Callable[..., Any]:
    def resolve(product: dict[str, Any], _info: Any, unit: str = "MM") -> Any:
        mm = product.get(key)
        if not isinstance(mm, int | float) or isinstance(mm, bool):
            return mm
        return to_unit(mm, unit)

    return resolve


def to_unit(mm: float, unit: str) -> float:
    """Millimetres in MM, CM or IN; inches round up to the sixteenth, as Consonance shows them."""
    if unit == "CM":
        return round(mm / 10, 2)
    if unit == "IN":
        return math.ceil(round(mm / 25.4 * 16, 6)) / 16
    return float(mm)


def _text(key: str) -> Callable[..., Any]:
    def resolve(text: dict[str, Any], _info: Any, stripHtml: Any = None) -> Any:
        value = text.get(key)
        if stripHtml and isinstance(value, str):
            return strip_html(value)
        return value

    return resolve


def resolve_owner_work(rec: dict[str, Any], info: Any) -> Any:
    """``Product.work`` / ``Contribution.work``: the record's work on the request's date."""
    if "work" in rec:  # a fixture may set it
        return rec["work"]
    ctx: Context = info.context
    return ctx.state.work(rec["workId"], ctx.on)


def resolve_contact_links(contact: dict[str, Any], info: Any) -> Any:
    if "webLinks" in contact:
        return contact["webLinks"]
    ctx: Context = info.context
    return ctx.state.contact_links_on(contact["id"], ctx.on)


_MUTATIONS: dict[str, Callable[..., Any]] = {
    "createWebLink": mutations.create_web_link,
    "updateWebLink": mutations.update_web_link,
    "deleteWebLink": mutations.delete_web_link,
    "createMarketingText": mutations.create_marketing_text,
    "deleteMarketingText": mutations.delete_marketing_text,
    "createSupportingResource": mutations.create_supporting_resource,
    "deleteSupportingResource": mutations.delete_supporting_resource,
    "updateProduct": mutations.update_product,
    "updateWork": mutations.update_work,
}


def _mutation(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def resolve(_root: Any, info: Any, input: dict[str, Any]) -> dict[str, Any]:
        ctx: Context = info.context
        state = ctx.state
        with state.lock:
            if name == "createSupportingResource":
                payload, target, errors = fn(state, ctx.on, input, ctx.base_url)
            else:
                payload, target, errors = fn(state, ctx.on, input)
        payload["errors"] = errors
        payload["clientMutationId"] = input.get("clientMutationId")
        state.writes.record(
            clock=state.clock,
            method="POST",
            path="/graphql",
            operation=name,
            target=target,
            payload=mutations.json_safe(input),
            outcome="error" if errors else "ok",
            status=200,
            error="; ".join(f"{e['field'] or 'input'}: {e['message']}" for e in errors) or None,
        )
        return payload

    return resolve


def build(sdl: str | None = None) -> GraphQLSchema:
    """The executable schema: ``schema.graphql`` (or another SDL, for tests that alter it)."""
    schema = build_schema(sdl if sdl is not None else SCHEMA_PATH.read_text(encoding="utf-8"))
    tm = schema.type_map

    date_t = tm["ISO8601Date"]
    date_t.coerce_output_value = date_t.serialize = _date_out  # type: ignore[method-assign, attr-defined]
    date_t.coerce_input_value = date_t.parse_value = _date_in  # type: ignore[method-assign, attr-defined]
    date_t.coerce_input_literal = date_t.parse_literal = _date_literal  # type: ignore[method-assign, attr-defined]
    dt_t = tm["ISO8601DateTime"]
    dt_t.coerce_output_value = dt_t.serialize = _datetime_out  # type: ignore[method-assign, attr-defined]
    dt_t.coerce_input_value = dt_t.parse_value = _datetime_in  # type: ignore[method-assign, attr-defined]
    url_t = tm["URL"]
    url_t.coerce_input_value = url_t.parse_value = _url_in  # type: ignore[method-assign, attr-defined]
    url_t.coerce_input_literal = url_t.parse_literal = _url_literal  # type: ignore[method-assign, attr-defined]
    for named in tm.values():
        if isinstance(named, GraphQLEnumType) and not named.name.startswith("__"):
            _lenient_enum(named)

    def attach(type_name: str, field: str, fn: Callable[..., Any]) -> None:
        named = tm.get(type_name)
        if named is not None and field in named.fields:  # type: ignore[union-attr]
            named.fields[field].resolve = fn  # type: ignore[union-attr]

    attach("Query", "works", resolve_works)
    attach("Query", "work", resolve_work)
    attach("Query", "products", resolve_products)
    attach("Query", "product", resolve_product)
    attach("Query", "imprints", lambda _r, _i: ConsonanceState.imprints())
    attach("Query", "seasons", lambda _r, info: info.context.state.seasons(info.context.on))
    attach("Query", "projectStages", lambda _r, _i: ConsonanceState.project_stages())
    attach("Query", "marketingTiers", lambda _r, _i: ConsonanceState.marketing_tiers())
    attach("Work", "products", resolve_work_products)
    attach("Work", "marketingTexts", resolve_marketing_texts)
    attach("Work", "subjectCodes", resolve_subject_codes)
    product_types = [t.name for t in schema.get_possible_types(tm["Product"])]  # type: ignore[arg-type]
    for type_name in ["Product", *product_types]:
        attach(type_name, "work", resolve_owner_work)
        attach(type_name, "prices", resolve_prices)
        attach(type_name, "marketingTexts", resolve_marketing_texts)
        attach(type_name, "publicationDateString", _date_string("publicationDate"))
        attach(type_name, "plannedPublicationDateString", _date_string("plannedPublicationDate"))
    for field in ("productHeight", "productWidth", "productThickness"):
        attach("PhysicalBookProduct", field, _measure(field))
    attach("Contribution", "work", resolve_owner_work)
    for field in ("externalText", "internalText", "alternateExternalText"):
        attach("MarketingText", field, _text(field))
    for type_name in ("Contact", "Person", "Organisation"):
        attach(type_name, "webLinks", resolve_contact_links)
    for name, fn in _MUTATIONS.items():
        attach("Mutation", name, _mutation(name, fn))
    return schema


# ------------------------------------------------------------------------------------------------
# Serving
# ------------------------------------------------------------------------------------------------


def _never_awaitable(_value: Any) -> bool:
    return False


@contextlib.contextmanager
def gc_paused() -> Any:
    """Defer Python's cyclic GC to between requests.

    A page of records allocates hundreds of thousands of short-lived containers; collecting in
    the middle of that repeatedly traverses the long-lived catalogue caches, which cost about a
    third of the CPU time of an extraction page in profiling. Pausing is process-wide, lasts one
    request, and leaves the collector as it found it (if someone else disabled it, it stays off).
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class GraphQLService:
    """Parses, validates (cached) and executes one GraphQL request body."""

    def __init__(
        self,
        state: ConsonanceState,
        cache_size: int = 256,
        *,
        sdl: str | None = None,
        introspection: bool = True,
    ):
        self.state = state
        self.schema = build(sdl)
        #: a server that refuses introspection, as some production GraphQL servers do
        self._rules = None if introspection else (*specified_rules, NoSchemaIntrospectionCustomRule)
        self._documents: OrderedDict[str, tuple[DocumentNode | None, list[dict[str, Any]]]] = (
            OrderedDict()
        )
        self._cache_size = cache_size

    def _document(self, query: str) -> tuple[DocumentNode | None, list[dict[str, Any]]]:
        hit = self._documents.get(query)
        if hit is not None:
            self._documents.move_to_end(query)
            return hit
        try:
            doc: DocumentNode | None = parse(query)
        except GraphQLError as exc:
            result: tuple[DocumentNode | None, list[dict[str, Any]]] = (None, [exc.formatted])
        else:
            assert doc is not None
            errors = validate(self.schema, doc, self._rules)
            result = (doc, [e.formatted for e in errors]) if errors else (doc, [])
        self._documents[query] = result
        if len(self._documents) > self._cache_size:
            self._documents.popitem(last=False)
        return result

    def handle(self, body: Any, base_url: str) -> dict[str, Any]:
        if not isinstance(body, dict):
            return {"errors": [{"message": "Request body must be a JSON object with a query"}]}
        query = body.get("query")
        if not isinstance(query, str) or not query.strip():
            return {"errors": [{"message": "No query string was present"}]}
        variables = body.get("variables")
        if isinstance(variables, str):
            try:
                variables = json.loads(variables) if variables.strip() else None
            except ValueError:
                return {"errors": [{"message": "Variables are not valid JSON"}]}
        if variables is not None and not isinstance(variables, dict):
            return {"errors": [{"message": "Variables must be a JSON object"}]}
        operation_name = body.get("operationName")
        if operation_name is not None and not isinstance(operation_name, str):
            return {"errors": [{"message": "operationName must be a string"}]}
        doc, errors = self._document(query)
        if errors:
            self._log_refused(doc, operation_name, variables, errors)
            return {"errors": errors}
        assert doc is not None
        ctx = Context(self.state, self.state.clock.today, base_url)
        with gc_paused():
            result = execute(
                self.schema,
                doc,
                context_value=ctx,
                variable_values=variables,
                operation_name=operation_name,
                executor_class=FastExecutor,
                is_awaitable=_never_awaitable,
            )
        assert isinstance(result, ExecutionResult)
        if result.errors and result.data is None:
            self._log_refused(doc, operation_name, variables, [e.formatted for e in result.errors])
        return result.formatted

    def _log_refused(
        self,
        doc: DocumentNode | None,
        operation_name: str | None,
        variables: Any,
        errors: list[dict[str, Any]],
    ) -> None:
        """A mutation document the server refused before running it is still a (refused) write call."""
        if doc is None:
            return
        for op in doc.definitions:
            if (
                not isinstance(op, OperationDefinitionNode)
                or op.operation != OperationType.MUTATION
            ):
                continue
            if operation_name is not None and (op.name is None or op.name.value != operation_name):
                continue
            for selection in op.selection_set.selections:
                name = getattr(getattr(selection, "name", None), "value", None)
                if name:
                    self.state.writes.record(
                        clock=self.state.clock,
                        method="POST",
                        path="/graphql",
                        operation=name,
                        payload=variables,
                        outcome="error",
                        status=200,
                        error=errors[0]["message"],
                    )


__all__ = ["PAGE_CAP", "GraphQLService", "build", "to_unit"]
