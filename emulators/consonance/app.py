"""The ASGI app: GraphQL, REST, uploads and the admin routes, behind auth and fault injection."""

from __future__ import annotations

import json
import logging
import re
from datetime import date
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from . import mutations, rest
from .graphql_api import GraphQLService, gc_paused
from .store import ConsonanceState

log = logging.getLogger("emulators.consonance")

#: The key the emulator accepts unless told otherwise (32 letters/digits, like a real key).
DEFAULT_API_KEY = "c0n50na9ce3mu1a70r5ec7e7k3y00042"

_TOKEN = re.compile(r'^(?:Token|Bearer)\s+(?:token=)?"?([^",\s]+)"?', re.IGNORECASE)

_NGINX = """<html>
<head><title>{status} {reason}</title></head>
<body>
<center><h1>{status} {reason}</h1></center>
<hr><center>nginx</center>
</body>
</html>
"""
_REASONS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Temporarily Unavailable",
    504: "Gateway Time-out",
    429: "Too Many Requests",
}


def error_body(status: int) -> tuple[bytes, str]:
    """What a failing request gets back: Rails JSON for 500/429, the nginx page for gateway errors."""
    if status in (502, 503, 504):
        return _NGINX.format(status=status, reason=_REASONS[status]).encode(), "text/html"
    if status == 429:
        return json.dumps(
            {"errors": [{"message": "Rate limit exceeded, retry later"}]}
        ).encode(), "application/json"
    return json.dumps(
        {"errors": [{"message": "Internal server error"}]}
    ).encode(), "application/json"


def _rails_token(request: Request) -> str | None:
    """Rails' authenticate_with_http_token: ``Token token=K``, ``Token token="K"``, ``Token K``, ``Bearer K``."""
    m = _TOKEN.match(request.headers.get("authorization", "").strip())
    return m.group(1) if m else None


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def create_app(
    *,
    seed: int = 42,
    works: int = 2000,
    today: date | None = None,
    faults: str = "none",
    api_keys: tuple[str, ...] = (DEFAULT_API_KEY,),
    go_live: date | None = None,
    schema_sdl: str | None = None,
    introspection: bool = True,
) -> tuple[ConsonanceState, Any]:
    """The emulator's state and its ASGI app (serve it with ``ServerThread(app)`` or uvicorn).

    ``schema_sdl`` serves another schema than ``schema.graphql`` (tests of the preflight alter
    it); ``introspection=False`` refuses introspection queries, as some real servers do."""
    state = ConsonanceState(
        seed=seed,
        works=works,
        today=today,
        faults=faults,
        api_keys=tuple(api_keys),
        go_live=go_live,
    )
    service = GraphQLService(state, sdl=schema_sdl, introspection=introspection)

    async def graphql(request: Request) -> Response:
        if request.method != "POST":
            return JSONResponse(
                {"errors": [{"message": "GraphQL requests must be POSTed"}]},
                status_code=405,
                headers={"Allow": "POST"},
            )
        # Bearer as the GraphQL docs say, and the Rails token forms Consonance's own demo app sends
        key = _rails_token(request)
        if key is None:
            return JSONResponse(
                {
                    "errors": [
                        {
                            "message": "Authentication required: send Authorization: Bearer <API key> (or Token <API key>)"
                        }
                    ]
                },
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="Consonance"'},
            )
        if key not in state.api_keys:
            return JSONResponse(
                {"errors": [{"message": "Invalid API key"}]},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="Consonance", error="invalid_token"'},
            )
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            return JSONResponse(
                {"errors": [{"message": "Request body is not valid JSON"}]}, status_code=400
            )
        try:
            result = service.handle(body, _base_url(request))
        except Exception:
            log.exception("GraphQL request failed")
            return JSONResponse({"errors": [{"message": "Internal server error"}]}, status_code=500)
        return JSONResponse(result)

    async def products_json(request: Request) -> Response:
        key = _rails_token(request)
        if key is None or key not in state.api_keys:
            return PlainTextResponse(
                "HTTP Token: Access denied.\n",
                status_code=401,
                headers={"WWW-Authenticate": 'Token realm="Application"'},
            )
        try:
            with gc_paused():
                params = list(request.query_params.multi_items())
                body, ignored = rest.page(state, params, str(request.url.replace(query="")))
        except Exception:
            log.exception("REST request failed")
            return JSONResponse({"status": 500, "error": "Internal Server Error"}, status_code=500)
        headers = {"X-Emulator-Ignored-Params": ", ".join(ignored)} if ignored else None
        return JSONResponse(body, headers=headers)

    async def upload(request: Request) -> Response:
        rid = int(request.path_params["rid"])
        size = len(await request.body())
        if not mutations.finish_upload(state, rid, size):
            return PlainTextResponse("NoSuchUpload", status_code=404)
        return Response(status_code=200)

    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        Route("/api/v4/products.json", products_json, methods=["GET"]),
        Route("/api/products.json", products_json, methods=["GET"]),
        Route("/_emulator/uploads/{rid:int}", upload, methods=["PUT"]),
        *state.admin_routes(),
    ]
    app = Starlette(routes=routes)
    return state, state.wrap(app, error_body)
