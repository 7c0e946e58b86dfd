"""Consonance GraphQL client: keyset paging by ``after``, ``changedSince``, Relay-classic mutations.

Consonance lists are plain arrays ordered by id; the next page is ``after: <last id>`` inside the
search input. The page size is the server's (not documented), so a pass ends on an empty page.
``changedSince`` has day granularity: windows overlap, and the warehouse dedupes by id.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any

import requests

from titlevideo.config import ConfigError
from titlevideo.connections import Endpoint
from titlevideo.transport import ApiError, PageGuard, PagingLoopError, call

log = logging.getLogger(__name__)

SYSTEM = "Consonance"
GRAPHQL_PATH = "/graphql"


class GraphQLError(ApiError):
    """Top-level GraphQL ``errors`` (a query the server rejected)."""


class ConsonanceClient:
    def __init__(self, endpoint: Endpoint, session: requests.Session | None = None):
        self.endpoint = endpoint
        self.session = session or requests.Session()
        self.calls = 0

    def _headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.endpoint.api_key}",
            "Content-Type": "application/json",
        }

    def execute(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        operation: str | None = None,
        *,
        idempotent: bool = True,
        write: bool = False,
    ) -> dict[str, Any]:
        """Run one GraphQL document; return ``data`` or raise :class:`GraphQLError`.

        ``write`` (mutations): a request left without an answer is given the policy's
        ``write_settle`` to land before anything else is sent."""
        body: dict[str, Any] = {"query": query, "variables": dict(variables or {})}
        if operation:
            body["operationName"] = operation
        self.calls += 1
        try:
            result = call(
                self.session,
                "POST",
                self.endpoint.url(GRAPHQL_PATH),
                system=SYSTEM,
                endpoint=f"POST {GRAPHQL_PATH} ({operation or 'query'})",
                policy=self.endpoint.policy,
                json_body=body,
                headers=self._headers,
                idempotent=idempotent,
                settle=self.endpoint.policy.write_settle if write else 0.0,
                connection=self.endpoint.conn_id,
            )
        except ApiError as exc:
            if exc.status not in (404, 405):
                raise
            raise ConfigError(  # no GraphQL endpoint there: the host is not a Consonance API
                f"{SYSTEM} {exc.endpoint} failed with HTTP {exc.status}: "
                f"{self.endpoint.base_url} has no Consonance GraphQL API ({exc.server_message}); "
                f"check the host of Airflow connection {self.endpoint.conn_id!r}"
            ) from None
        if not isinstance(result, dict):
            raise GraphQLError(SYSTEM, GRAPHQL_PATH, 200, "response is not a JSON object")
        errors = result.get("errors")
        if errors:
            messages = "; ".join(
                str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors
            )
            raise GraphQLError(
                SYSTEM, f"{GRAPHQL_PATH} ({operation or 'query'})", 200, messages[:500]
            )
        data = result.get("data")
        if not isinstance(data, dict):
            raise GraphQLError(SYSTEM, GRAPHQL_PATH, 200, "response has no data")
        return data

    def pages(
        self,
        query: str,
        root: str,
        search_var: str,
        search: Mapping[str, Any],
        extra_variables: Mapping[str, Any] | None = None,
        operation: str | None = None,
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield pages of ``root`` using keyset paging: ``after`` = the last id of the previous page."""
        guard = PageGuard(f"{SYSTEM} {root}")
        after: int | None = search.get("after")
        while True:
            guard.see(after)
            variables = {
                **(extra_variables or {}),
                search_var: {**search, **({"after": after} if after is not None else {})},
            }
            data = self.execute(query, variables, operation)
            page = data.get(root)
            if not isinstance(page, list):
                raise GraphQLError(SYSTEM, GRAPHQL_PATH, 200, f"'{root}' is not a list")
            if not page:
                return
            ids = [row.get("id") for row in page if isinstance(row, dict)]
            last = max((i for i in ids if isinstance(i, int)), default=None)
            if last is None:
                raise GraphQLError(
                    SYSTEM, GRAPHQL_PATH, 200, f"'{root}' page has no integer ids to page on"
                )
            if after is not None and last <= after:
                raise PagingLoopError(
                    f"{SYSTEM} {root}: page after {after} ended at id {last}; ids must increase"
                )
            yield page
            after = last

    def mutate(
        self, mutation: str, field: str, input_: Mapping[str, Any], *, idempotent: bool = False
    ) -> dict[str, Any]:
        """Run a Relay-classic mutation; return its payload (``errors`` inside it are per-row failures).

        Mutations are not retried blindly (a repeated create duplicates): an ambiguous failure
        raises :class:`~titlevideo.transport.AmbiguousWrite` for the caller to verify."""
        data = self.execute(
            mutation, {"input": dict(input_)}, operation=None, idempotent=idempotent, write=True
        )
        payload = data.get(field)
        if not isinstance(payload, dict):
            raise GraphQLError(
                SYSTEM, f"{GRAPHQL_PATH} ({field})", 200, "mutation returned no payload"
            )
        return payload
