"""HTTP surface: Starlette routes, each a thin adapter onto :class:`~.state.ByteniteState`."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from functools import cache
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import wire
from .jobs import TEMPLATES
from .state import ByteniteState, Caller

OPENAPI_PATH = Path(__file__).with_name("openapi.yaml")
EXTENSION_HEADER = {"X-Emulator-Extension": "true"}
_CONTENT_TYPES = {
    ".mp4": "video/mp4",
    ".zip": "application/zip",
    ".json": "application/json",
    ".png": "image/png",
}

Handler = Callable[[Request, Caller | None, str], Awaitable[Any]]


@cache
def openapi_document() -> dict[str, Any]:
    import yaml

    with OPENAPI_PATH.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _json(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        wire.dumps(payload), status_code=status, media_type="application/json", headers=headers
    )


async def read_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise wire.invalid(f"request body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise wire.invalid("request body must be a JSON object")
    return body


def build_app(state: ByteniteState) -> Starlette:
    def endpoint(
        handler: Handler,
        *,
        auth: bool = True,
        action: bool = False,
        ext: bool = False,
        op: str | None = None,
    ) -> Callable[[Request], Awaitable[Response]]:
        """Wrap a handler: auth + rate limit, job clock, error shape, extension header, write log."""

        async def run(request: Request) -> Response:
            request_id = str(uuid.uuid4())
            headers = dict(EXTENSION_HEADER) if ext else {}
            caller = None
            payload: Any = None
            try:
                if auth:
                    caller = state.authenticate(request.headers.get("authorization"))
                state.tick()
                if op is not None:
                    raw = await request.body()
                    try:
                        payload = json.loads(raw) if raw.strip() else None
                    except (ValueError, UnicodeDecodeError):
                        payload = raw.decode("utf-8", "replace")[:2000]
                result = await handler(request, caller, request_id)
                if isinstance(result, Response):
                    response = result
                    response.headers.update(headers)
                else:
                    if action and isinstance(result, str):
                        result = wire.generic_ok(request_id, result)
                    response = _json(result, 200, headers)
                if op is not None:
                    state.writes.record(
                        clock=state.clock,
                        method=request.method,
                        path=request.url.path,
                        operation=op,
                        target=_target(request, result),
                        payload=payload,
                    )
                return response
            except wire.ApiError as err:
                if op is not None and caller is not None:
                    state.writes.record(
                        clock=state.clock,
                        method=request.method,
                        path=request.url.path,
                        operation=op,
                        target=_target(request, None),
                        payload=payload,
                        outcome="error",
                        status=err.http,
                        error=err.message,
                    )
                body = (
                    wire.generic_error(request_id, err)
                    if action and caller is not None
                    else wire.rpc_status(err.code, err.message)
                )
                return _json(body, err.http, {**headers, **err.headers})

        return run

    # ---- auth ----------------------------------------------------------------------------------

    async def access_token(request: Request, _: Caller | None, __: str) -> Any:
        body = await read_body(request)
        return state.issue_token(body.get("apiKey"))

    async def signout(request: Request, caller: Caller | None, __: str) -> Any:
        assert caller is not None
        await read_body(request)
        state.signout(caller)
        return "signed out"

    async def user(request: Request, _: Caller | None, __: str) -> Any:
        return state.user_json()

    async def api_keys(request: Request, _: Caller | None, __: str) -> Any:
        return state.api_keys_json()

    async def revoke(request: Request, _: Caller | None, __: str) -> Any:
        await read_body(request)
        return state.revoke_key(request.path_params["keyId"])

    # ---- jobs ----------------------------------------------------------------------------------

    async def create_job(request: Request, _: Caller | None, __: str) -> Any:
        job, _created = state.create_job(await read_body(request))
        return state.job_response(job)

    async def list_jobs(request: Request, _: Caller | None, __: str) -> Any:
        q = request.query_params
        limit, offset = wire.query_pagination(q)
        return state.list_jobs(limit, offset, q.get("orderBy"))

    async def filter_jobs(request: Request, _: Caller | None, __: str) -> Any:
        return state.filter_jobs(await read_body(request))

    async def get_job(request: Request, _: Caller | None, __: str) -> Any:
        return state.job_response(state.get_job(request.path_params["jobId"]))

    def patch(what: str) -> Handler:
        async def handler(request: Request, _: Caller | None, __: str) -> Any:
            return state.job_response(
                state.patch_job(request.path_params["jobId"], what, await read_body(request))
            )

        return handler

    async def run_job(request: Request, _: Caller | None, __: str) -> Any:
        return state.run_job(request.path_params["jobId"], await read_body(request))

    async def abort_job(request: Request, _: Caller | None, __: str) -> Any:
        await read_body(request)
        return state.abort_job(request.path_params["jobId"])

    async def delete_job(request: Request, _: Caller | None, __: str) -> Any:
        return state.delete_job(request.path_params["jobId"])

    async def results(request: Request, _: Caller | None, __: str) -> Any:
        base = str(request.base_url).rstrip("/")
        return state.job_results(request.path_params["jobId"], base)

    async def templates(request: Request, _: Caller | None, __: str) -> Any:
        limit, offset = wire.query_pagination(request.query_params)
        items = [t.listing() for t in sorted(TEMPLATES.values(), key=lambda t: t.id)]
        pagination, chunk = wire.page(items, limit, offset)
        return {"pagination": pagination, "data": chunk}

    async def wallet_balance(request: Request, _: Caller | None, __: str) -> Any:
        return state.wallet_balance()

    async def info(request: Request, _: Caller | None, __: str) -> Any:
        return {
            "version": "bytenite-emulator 1.0 (jobs API v0.1 + video extension)",
            "messages": [
                "This is an emulator: ByteNite's public service is gone. Assets, placements and analytics "
                "are this project's extension contract, not part of ByteNite's API."
            ],
        }

    async def datasource_test(request: Request, _: Caller | None, __: str) -> Any:
        from .jobs import parse_data_source

        body = await read_body(request)
        if body.get("dataSource") is None:
            raise wire.invalid("dataSource is required")
        ds = parse_data_source(body["dataSource"], "dataSource", direction="either")
        assert ds is not None
        return f"data source {ds['dataSourceDescriptor']!r} is well formed"

    async def logs(request: Request, _: Caller | None, __: str) -> Any:
        return state.job_logs(await read_body(request))

    async def files(request: Request) -> Response:
        try:
            state.tick()
            q = request.query_params
            content = state.file_for_link(
                request.path_params["jobId"],
                request.path_params["name"],
                q.get("expires"),
                q.get("sig"),
            )
        except wire.ApiError as err:
            return _json(wire.rpc_status(err.code, err.message), err.http)
        name = request.path_params["name"]
        ctype = next(
            (t for ext, t in _CONTENT_TYPES.items() if name.endswith(ext)),
            "application/octet-stream",
        )
        return Response(content, media_type=ctype)

    async def swagger(_: Request) -> Response:
        return _json(openapi_document())

    # ---- extension: assets -----------------------------------------------------------------------

    async def list_assets(request: Request, _: Caller | None, __: str) -> Any:
        return state.list_assets(request.query_params)

    async def get_asset(request: Request, _: Caller | None, __: str) -> Any:
        return state.get_asset(request.path_params["assetId"])

    async def job_assets(request: Request, _: Caller | None, __: str) -> Any:
        return state.job_assets(request.path_params["jobId"])

    async def asset_metadata(request: Request, _: Caller | None, __: str) -> Any:
        return state.set_asset_metadata(request.path_params["assetId"], await read_body(request))

    async def asset_title(request: Request, _: Caller | None, __: str) -> Any:
        return state.set_asset_title(request.path_params["assetId"], await read_body(request))

    async def publish(request: Request, _: Caller | None, __: str) -> Any:
        await read_body(request)
        return state.publish_asset(request.path_params["assetId"])

    async def unpublish(request: Request, _: Caller | None, __: str) -> Any:
        await read_body(request)
        return state.unpublish_asset(request.path_params["assetId"])

    # ---- extension: placements -------------------------------------------------------------------

    async def create_placement(request: Request, _: Caller | None, __: str) -> Any:
        p = state.create_placement(request.path_params["assetId"], await read_body(request))
        return {"placement": state.placement_json(p)}

    async def list_placements(request: Request, _: Caller | None, __: str) -> Any:
        return state.list_placements(request.query_params)

    async def get_placement(request: Request, _: Caller | None, __: str) -> Any:
        return state.get_placement(request.path_params["placementId"])

    async def enable(request: Request, _: Caller | None, __: str) -> Any:
        await read_body(request)
        return state.set_placement_state(request.path_params["placementId"], True)

    async def disable(request: Request, _: Caller | None, __: str) -> Any:
        await read_body(request)
        return state.set_placement_state(request.path_params["placementId"], False)

    async def regions(request: Request, _: Caller | None, __: str) -> Any:
        return state.set_placement_regions(
            request.path_params["placementId"], await read_body(request)
        )

    async def delete_placement(request: Request, _: Caller | None, __: str) -> Any:
        return state.delete_placement(request.path_params["placementId"])

    # ---- extension: analytics --------------------------------------------------------------------

    async def daily(request: Request, _: Caller | None, __: str) -> Any:
        return state.daily_metrics(await read_body(request))

    async def summary(request: Request, _: Caller | None, __: str) -> Any:
        return state.summary(request.query_params)

    c = "/v1/customer"
    table: list[tuple[str, str, Callable[[Request], Awaitable[Response]]]] = [
        ("/v1/auth/access_token", "POST", endpoint(access_token, auth=False)),
        ("/v1/auth/signout", "POST", endpoint(signout, action=True)),
        ("/v1/auth/user", "GET", endpoint(user)),
        ("/v1/auth/api_keys", "GET", endpoint(api_keys)),
        (
            "/v1/auth/api_keys/{keyId}/revoke",
            "POST",
            endpoint(revoke, action=True, op="api_keys.revoke"),
        ),
        (f"{c}/docs/swagger.json", "GET", swagger),
        (f"{c}/info", "GET", endpoint(info)),
        (f"{c}/wallet/balance", "GET", endpoint(wallet_balance)),
        (f"{c}/jobs/templates", "GET", endpoint(templates)),
        (f"{c}/jobs/filter", "POST", endpoint(filter_jobs)),
        (f"{c}/jobs/run/{{jobId:id}}", "POST", endpoint(run_job, action=True, op="jobs.run")),
        (f"{c}/jobs", "POST", endpoint(create_job, op="jobs.create")),
        (f"{c}/jobs", "GET", endpoint(list_jobs)),
        (f"{c}/jobs/{{jobId:id}}", "GET", endpoint(get_job)),
        (f"{c}/jobs/{{jobId:id}}", "DELETE", endpoint(delete_job, action=True, op="jobs.delete")),
        (
            f"{c}/jobs/{{jobId:id}}/datasource",
            "PATCH",
            endpoint(patch("datasource"), op="jobs.datasource"),
        ),
        (f"{c}/jobs/{{jobId:id}}/params", "PATCH", endpoint(patch("params"), op="jobs.params")),
        (f"{c}/jobs/{{jobId:id}}/jobname", "PATCH", endpoint(patch("jobname"), op="jobs.jobname")),
        (f"{c}/jobs/{{jobId:id}}/configs", "PATCH", endpoint(patch("configs"), op="jobs.configs")),
        (f"{c}/jobs/{{jobId:id}}/run", "POST", endpoint(run_job, action=True, op="jobs.run")),
        (f"{c}/jobs/{{jobId:id}}/abort", "POST", endpoint(abort_job, action=True, op="jobs.abort")),
        (f"{c}/jobs/{{jobId:id}}/results", "GET", endpoint(results)),
        (f"{c}/jobs/{{jobId:id}}/assets", "GET", endpoint(job_assets, ext=True)),
        (f"{c}/datasource/test", "POST", endpoint(datasource_test, action=True)),
        (f"{c}/logs", "POST", endpoint(logs)),
        (f"{c}/assets", "GET", endpoint(list_assets, ext=True)),
        (f"{c}/assets/{{assetId}}", "GET", endpoint(get_asset, ext=True)),
        (
            f"{c}/assets/{{assetId}}/metadata",
            "PATCH",
            endpoint(asset_metadata, ext=True, op="assets.metadata"),
        ),
        (
            f"{c}/assets/{{assetId}}/title",
            "PATCH",
            endpoint(asset_title, ext=True, op="assets.title"),
        ),
        (
            f"{c}/assets/{{assetId}}/publish",
            "POST",
            endpoint(publish, ext=True, action=True, op="assets.publish"),
        ),
        (
            f"{c}/assets/{{assetId}}/unpublish",
            "POST",
            endpoint(unpublish, ext=True, action=True, op="assets.unpublish"),
        ),
        (
            f"{c}/assets/{{assetId}}/placements",
            "POST",
            endpoint(create_placement, ext=True, op="placements.create"),
        ),
        (f"{c}/placements", "GET", endpoint(list_placements, ext=True)),
        (f"{c}/placements/{{placementId}}", "GET", endpoint(get_placement, ext=True)),
        (
            f"{c}/placements/{{placementId}}",
            "DELETE",
            endpoint(delete_placement, ext=True, action=True, op="placements.delete"),
        ),
        (
            f"{c}/placements/{{placementId}}/enable",
            "POST",
            endpoint(enable, ext=True, action=True, op="placements.enable"),
        ),
        (
            f"{c}/placements/{{placementId}}/disable",
            "POST",
            endpoint(disable, ext=True, action=True, op="placements.disable"),
        ),
        (
            f"{c}/placements/{{placementId}}/regions",
            "PATCH",
            endpoint(regions, ext=True, op="placements.regions"),
        ),
        (f"{c}/analytics/daily", "POST", endpoint(daily, ext=True)),
        (f"{c}/analytics/summary", "GET", endpoint(summary, ext=True)),
        ("/files/{jobId}/{name:path}", "GET", files),
    ]
    # One Route per path, so a wrong method gets 405 with the full Allow list.
    by_path: dict[str, dict[str, Callable[[Request], Awaitable[Response]]]] = {}
    for path, method, fn in table:
        by_path.setdefault(path, {})[method] = fn
    routes = [
        Route(path, _dispatch(handlers), methods=list(handlers))
        for path, handlers in by_path.items()
    ]
    routes += state.admin_routes()

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 405:
            return _json(wire.rpc_status(12, "Method Not Allowed"), 405, dict(exc.headers or {}))
        if exc.status_code == 404:
            return _json(wire.rpc_status(wire.NOT_FOUND, "Not Found"), 404)
        return _json(wire.rpc_status(13, exc.detail), exc.status_code, dict(exc.headers or {}))

    async def server_error(request: Request, exc: Exception) -> Response:
        return _json(wire.rpc_status(13, f"internal error: {type(exc).__name__}"), 500)

    return Starlette(
        routes=routes, exception_handlers={HTTPException: http_error, Exception: server_error}
    )


class _IdConvertor(Convertor[str]):
    """A path segment that is not one of the fixed words beside it (``/jobs/filter`` and
    ``/jobs/templates`` must not be read as job ids, so a wrong method there gets 405)."""

    regex = "(?!(?:filter|templates|run)(?:/|$))[^/]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("id", _IdConvertor())


def _dispatch(
    handlers: dict[str, Callable[[Request], Awaitable[Response]]],
) -> Callable[[Request], Awaitable[Response]]:
    async def dispatch(request: Request) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        return await handlers[method](request)

    return dispatch


def _target(request: Request, result: Any) -> Any:
    params = dict(request.path_params)
    if isinstance(result, dict):
        for key in ("job", "placement", "asset"):
            obj = result.get(key)
            if isinstance(obj, dict) and "id" in obj:
                params[f"{key}Id"] = obj["id"]
    return params or None
