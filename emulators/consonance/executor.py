"""graphql-core's executor with a fast path for the emulator's plain-dict records.

Profiling a typical extraction page showed ~80% of the time in graphql-core's per-field
machinery (resolve info, path, completion dispatch) for fields that are just ``record[name]``.
``FastExecutor.execute_fields`` plans each selection set once per request and then, for fields
without resolvers or arguments, reads the dict and coerces the value directly; objects and lists
of objects recurse the same way. Anything unusual (a null in a non-null field, a value the type
cannot represent, an unknown ``__typename``) goes through graphql-core's own ``execute_field``,
so errors, null propagation and error paths are exactly graphql-core's. Nested errors use
graphql-core's ``handle_field_error`` at the same positions the generic path would.

``executor_class`` is a documented hook of ``graphql.execute``; the methods overridden here are
internal to graphql-core, which the lock pins (3.3.x).
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLString,
    GraphQLUnionType,
)
from graphql.execution.executor_throwing_on_incremental import ExecutorThrowingOnIncremental
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, Undefined

_GENERIC, _TYPENAME, _LEAF, _LEAF_LIST, _OBJECT, _OBJECT_LIST = range(6)
_FAIL = object()
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


def _coerce(leaf: Any, value: Any) -> Any:
    """The leaf's output coercion, with shortcuts for the common exact types; _FAIL if invalid."""
    kind = type(value)
    if leaf is GraphQLString:
        if kind is str:
            return value
    elif leaf is GraphQLInt:
        if kind is int and _INT_MIN <= value <= _INT_MAX:
            return value
    elif leaf is GraphQLFloat:
        if kind is float:
            return value
        if kind is int:
            return float(value)
    elif leaf is GraphQLBoolean:
        if kind is bool:
            return value
    elif leaf is GraphQLID and kind is str:
        return value
    try:
        out = leaf.coerce_output_value(value)
    except Exception:
        return _FAIL
    return _FAIL if out is None or out is Undefined else out


def _unwrap(t: Any) -> tuple[Any, bool]:
    if isinstance(t, GraphQLNonNull):
        return t.of_type, True
    return t, False


def _is_leaf(t: Any) -> bool:
    return isinstance(t, GraphQLScalarType | GraphQLEnumType)


def _is_composite(t: Any) -> bool:
    return isinstance(t, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType)


class FastExecutor(ExecutorThrowingOnIncremental):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans: dict[tuple[str, int], tuple[Any, list[tuple[Any, ...]]]] = {}

    # ---- planning ------------------------------------------------------------------------------

    def _plan(
        self, parent_type: GraphQLObjectType, grouped_field_set: Any
    ) -> list[tuple[Any, ...]]:
        key = (parent_type.name, id(grouped_field_set))
        hit = self._plans.get(key)
        if hit is not None and hit[0] is grouped_field_set:
            return hit[1]
        plan = [self._plan_field(parent_type, rn, fdl) for rn, fdl in grouped_field_set.items()]
        self._plans[key] = (grouped_field_set, plan)  # keeps the set alive, so its id stays unique
        return plan

    def _plan_field(
        self, parent_type: GraphQLObjectType, response_name: str, fdl: Any
    ) -> tuple[Any, ...]:
        node = fdl[0].node
        name = node.name.value
        if name == "__typename":
            return (_TYPENAME, response_name, name, fdl, None, False, None, False, None)
        field_def = self.schema.get_field(parent_type, name)
        generic = (_GENERIC, response_name, name, fdl, None, False, None, False, None)
        if field_def is None or self.middleware_manager:
            return generic
        inner, nonnull = _unwrap(field_def.type)
        if _is_leaf(inner):
            plan = (_LEAF, inner, nonnull, None, False)
        elif _is_composite(inner):
            plan = (_OBJECT, inner, nonnull, field_def.type, False)
        elif isinstance(inner, GraphQLList) and (
            _is_leaf(_unwrap(inner.of_type)[0]) or _is_composite(_unwrap(inner.of_type)[0])
        ):
            item, item_nonnull = _unwrap(inner.of_type)
            plan = (
                _LEAF_LIST if _is_leaf(item) else _OBJECT_LIST,
                item,
                nonnull,
                field_def.type,
                item_nonnull,
            )
        else:
            return generic
        kind, t, nn, full_type, item_nonnull = plan
        # fields with a resolver or arguments: resolved the standard way, completed the fast way
        resolved = (
            field_def
            if (field_def.resolve is not None or field_def.args or node.arguments)
            else None
        )
        return (kind, response_name, name, fdl, t, nn, full_type, item_nonnull, resolved)

    def _resolve(
        self, field_def: Any, parent_type: GraphQLObjectType, source: Any, fdl: Any, path: Path
    ) -> tuple[Any, Any]:
        """Run a field's resolver as Executor.execute_field does; (value, info) or raises."""
        first = fdl[0]
        info = self.build_resolve_info(field_def, [fd.node for fd in fdl], parent_type, path)
        args = (
            get_argument_values(
                field_def,
                first.node,
                self.variable_values,
                first.fragment_variable_values,
                self.hide_suggestions,
            )
            if field_def.args or first.node.arguments
            else {}
        )
        resolve = field_def.resolve or self.field_resolver
        return resolve(source, info, **args), info

    def _runtime_type(self, composite: Any, value: Any) -> GraphQLObjectType | None:
        if type(value) is not dict:
            return None
        if isinstance(composite, GraphQLObjectType):
            return composite
        typename = value.get("__typename")
        runtime = self.schema.type_map.get(typename) if isinstance(typename, str) else None
        if isinstance(runtime, GraphQLObjectType) and self.schema.is_sub_type(composite, runtime):
            return runtime
        return None

    # ---- execution -----------------------------------------------------------------------------

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        if type(source_value) is not dict and path is not None:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        results: dict[str, Any] = {}
        parent_name = parent_type.name
        for kind, rn, name, fdl, t, nonnull, full_type, item_nonnull, resolved in self._plan(
            parent_type, grouped_field_set
        ):
            if kind == _TYPENAME:
                results[rn] = parent_name
                continue
            info = None
            if kind != _GENERIC:
                if resolved is None:
                    if type(source_value) is not dict:
                        kind = _GENERIC
                    else:
                        value = source_value.get(name)
                else:
                    field_path = Path(path, rn, parent_name)
                    try:
                        value, info = self._resolve(
                            resolved, parent_type, source_value, fdl, field_path
                        )
                    except Exception as raw_error:
                        self.handle_field_error(raw_error, resolved.type, fdl, field_path)
                        results[rn] = None
                        continue
            if kind != _GENERIC:
                if value is None:
                    if not nonnull:
                        results[rn] = None
                        continue
                elif kind == _LEAF:
                    out = _coerce(t, value)
                    if out is not _FAIL:
                        results[rn] = out
                        continue
                elif kind == _LEAF_LIST:
                    out = self._leaf_list(t, value, item_nonnull)
                    if out is not _FAIL:
                        results[rn] = out
                        continue
                elif kind == _OBJECT:
                    runtime = self._runtime_type(t, value)
                    if runtime is not None:
                        results[rn] = self._object(
                            runtime, value, Path(path, rn, parent_name), fdl, full_type
                        )
                        continue
                elif type(value) is list:  # _OBJECT_LIST
                    runtimes = [self._runtime_type(t, v) if v is not None else None for v in value]
                    if all(
                        r is not None or (v is None and not item_nonnull)
                        for r, v in zip(runtimes, value, strict=True)
                    ):
                        results[rn] = self._object_list(
                            runtimes,
                            value,
                            Path(path, rn, parent_name),
                            fdl,
                            full_type,
                            item_nonnull,
                        )
                        continue
                if info is not None:
                    # a resolver ran: complete its value the standard way rather than run it twice
                    field_path = Path(path, rn, parent_name)
                    try:
                        results[rn] = self.complete_value(
                            full_type, fdl, info, field_path, value, position_context
                        )
                    except Exception as raw_error:
                        self.handle_field_error(raw_error, full_type, fdl, field_path)
                        results[rn] = None
                    continue
            result = self.execute_field(
                parent_type, source_value, fdl, Path(path, rn, parent_name), position_context
            )
            if result is not Undefined:
                results[rn] = result
        return results

    @staticmethod
    def _leaf_list(leaf: Any, value: Any, item_nonnull: bool) -> Any:
        if type(value) is not list:
            return _FAIL
        out = []
        for v in value:
            if v is None:
                if item_nonnull:
                    return _FAIL
                out.append(None)
                continue
            c = _coerce(leaf, v)
            if c is _FAIL:
                return _FAIL
            out.append(c)
        return out

    def _object(
        self,
        runtime: GraphQLObjectType,
        value: dict[str, Any],
        field_path: Path,
        fdl: Any,
        field_type: Any,
    ) -> Any:
        try:
            sub = self.collect_subfields(runtime, fdl)[0]
            return self.execute_fields(runtime, value, field_path, sub, None)
        except Exception as raw_error:
            self.handle_field_error(raw_error, field_type, fdl, field_path)
            return None

    def _object_list(
        self,
        runtimes: list[Any],
        values: list[Any],
        field_path: Path,
        fdl: Any,
        field_type: Any,
        item_nonnull: bool,
    ) -> Any:
        try:
            inner_type = (
                field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type
            )
            item_type = inner_type.of_type
            out: list[Any] = []
            append = out.append
            subs: dict[str, Any] = {}
            for index, (runtime, value) in enumerate(zip(runtimes, values, strict=True)):
                if value is None:
                    append(None)
                    continue
                sub = subs.get(runtime.name)
                if sub is None:
                    sub = subs[runtime.name] = self.collect_subfields(runtime, fdl)[0]
                item_path = Path(field_path, index, None)
                try:
                    append(self.execute_fields(runtime, value, item_path, sub, None))
                except Exception as raw_error:
                    self.handle_field_error(raw_error, item_type, fdl, item_path)
                    append(None)
            return out
        except Exception as raw_error:
            self.handle_field_error(raw_error, field_type, fdl, field_path)
            return None
