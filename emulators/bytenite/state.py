"""The emulator's state: auth, rate limits, jobs, assets, placements, analytics queries, fixtures.

Every handler in :mod:`.app` is a thin adapter onto a method here; methods take parsed request
data and return wire dicts, raising :class:`~.wire.ApiError` for error answers.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import secrets
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np

from emulators.catalog import DEFAULT_GO_LIVE, World
from emulators.common import EmulatorCore

from . import wire
from .analytics import Analytics, DayRows
from .history import History, legacy_job_name, legacy_job_times
from .jobs import (
    TEMPLATES,
    VIDEO_TEMPLATE,
    Job,
    job_json,
    make_plan,
    parse_config,
    parse_data_source,
    parse_params,
    result_file,
    results_link,
    run_config,
    sign,
    synthetic_logs,
)
from .model import COUNTRY_AXIS, Asset, Placement, asset_id_for_job, at_time, region_mask

DEFAULT_API_KEY = "bytenite-emulator-key"
DEFAULT_PORT = 8082
DEFAULT_TOKEN_TTL = 3600
DEFAULT_RATE_LIMIT = 50.0
DEFAULT_JOB_STEP_SECONDS = 0.2
MAX_RANGE_DAYS = 366
_DURATIONS = {
    "DELIVERABLE_TYPE_TRAILER": (60, 150),
    "DELIVERABLE_TYPE_AUTHOR_INTERVIEW": (600, 1800),
    "DELIVERABLE_TYPE_TEASER": (15, 30),
    "DELIVERABLE_TYPE_SOCIAL_CUTDOWN": (15, 60),
    "DELIVERABLE_TYPE_AUDIOBOOK_SAMPLE": (120, 300),
    "DELIVERABLE_TYPE_NARRATED_EXCERPT": (300, 900),
    "DELIVERABLE_TYPE_EVENT_RECORDING": (1800, 3600),
    "DELIVERABLE_TYPE_BEHIND_THE_SCENES": (120, 600),
    None: (60, 180),
}
_VERTICAL = {"DELIVERABLE_TYPE_TEASER", "DELIVERABLE_TYPE_SOCIAL_CUTDOWN"}


@dataclass(slots=True)
class TokenInfo:
    token: str
    key_id: str
    expires: float  # wall clock (time.time())


@dataclass(slots=True)
class Caller:
    token: str
    key_id: str


class RateLimiter:
    """A token bucket per access token: ``rate`` requests/s, bursts of ``burst``."""

    def __init__(self, rate: float, burst: float):
        self.rate = rate
        self.burst = burst
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float | None:
        """None when allowed, else the seconds until a request would be."""
        if self.rate <= 0:
            return None
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return None
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate


class ByteniteState(EmulatorCore):
    name = "bytenite"

    def __init__(
        self,
        *,
        seed: int = 42,
        works: int = 2000,
        today: date | None = None,
        faults: str = "none",
        api_keys: tuple[str, ...] = (DEFAULT_API_KEY,),
        token_ttl: float = DEFAULT_TOKEN_TTL,
        rate_limit: float = DEFAULT_RATE_LIMIT,
        rate_burst: float | None = None,
        job_step_seconds: float = DEFAULT_JOB_STEP_SECONDS,
        go_live: date = DEFAULT_GO_LIVE,
    ):
        super().__init__(seed=seed, works=works, today=today, faults=faults, api_keys=api_keys)
        started = time.perf_counter()
        self.key_order = list(dict.fromkeys(api_keys))
        self.token_ttl = token_ttl
        self.job_step = job_step_seconds
        self.go_live = go_live
        self.limiter = RateLimiter(
            rate_limit, rate_burst if rate_burst is not None else 2 * rate_limit
        )
        self.secret = hashlib.sha256(f"bytenite-emulator:{seed}".encode()).digest()
        self.user_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"bytenite-emulator-user:{seed}"))
        self.world = World(seed, works, go_live=go_live)
        self.history = History(self.world)
        self.analytics = Analytics(seed)
        for asset, aud in zip(self.history.assets, self.history.audience, strict=True):
            self.analytics.add_asset(asset, aud.scale, aud.launch)
        self.analytics.set_seeded_placements(
            self.history.placements,
            [region_mask(p.whitelist0, p.blacklist0) for p in self.history.placements],
        )
        self.n_legacy_assets = len(self.history.assets)
        self.n_legacy_placements = len(self.history.placements)
        self._legacy_by_created = sorted(
            self.history.assets, key=lambda a: (a.created_at, a.job_id)
        )
        self.tokens: dict[str, TokenInfo] = {}
        self._lock = threading.RLock()
        self._list_cache: OrderedDict[Any, list[Any]] = OrderedDict()
        self._counts: OrderedDict[Any, int] = OrderedDict()
        self._init_mutable()
        self.startup_seconds = time.perf_counter() - started

    def _init_mutable(self) -> None:
        self.assets: list[Asset] = list(self.history.assets)
        self.asset_by_id: dict[str, Asset] = {a.id: a for a in self.assets}
        self.placements: list[Placement] = list(self.history.placements)
        self.placement_by_id: dict[str, Placement] = {p.id: p for p in self.placements}
        self.jobs: dict[str, Job] = {}
        self.in_flight: set[str] = set()
        self.dirty: dict[int, Placement] = {}
        self.revoked: set[str] = set()
        self.fixture_assets: list[dict[str, Any]] = []
        self.fixture_placements: list[dict[str, Any]] = []
        self.fixture_metrics: dict[date, list[dict[str, Any]]] = {}
        self.gen = 0

    # ---- EmulatorCore hooks ------------------------------------------------------------------

    def reset(self) -> None:
        with self._lock:
            super().reset()
            for a in self.history.assets:
                a.status_writes = a.title_writes = a.metadata_writes = None
                del a.placements[:]
            for p in self.history.placements:
                p.events = None
                p.asset.placements.append(p)
            an = self.analytics
            an.n_assets = self.n_legacy_assets
            del an.asset_ids[self.n_legacy_assets :]
            an.p_clean[:] = True
            an.invalidate()
            self._init_mutable()
            self._list_cache.clear()
            self._counts.clear()
            self.limiter._buckets.clear()

    def health(self) -> dict[str, Any]:
        out = super().health()
        out.update(
            {
                "goLive": self.go_live.isoformat(),
                "assets": len(self.assets),
                "placements": len(self.placements),
                "startupSeconds": round(self.startup_seconds, 3),
            }
        )
        return out

    def bump(self, metrics: bool = False) -> None:
        """Something changed: drop cached listings (and the cached analytics days if ``metrics``)."""
        self.gen += 1
        self._list_cache.clear()
        self._counts.clear()
        if metrics:
            self.analytics.invalidate()

    # ---- auth --------------------------------------------------------------------------------

    def key_id(self, key: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"bytenite-emulator-key:{key}"))

    def issue_token(self, api_key: Any) -> dict[str, Any]:
        if not isinstance(api_key, str) or not api_key:
            raise wire.ApiError(wire.UNAUTHENTICATED, "apiKey is required")
        if api_key not in self.api_keys:
            raise wire.ApiError(wire.UNAUTHENTICATED, "invalid api key")
        kid = self.key_id(api_key)
        if kid in self.revoked:
            raise wire.ApiError(wire.UNAUTHENTICATED, "api key revoked")
        now = time.time()
        with self._lock:
            for t in [t for t, info in self.tokens.items() if info.expires < now]:
                del self.tokens[t]
            token = self._jwt(kid, now)
            self.tokens[token] = TokenInfo(token, kid, now + self.token_ttl)
        return {"token": token, "expiresIn": str(int(self.token_ttl)), "scope": "openid"}

    def _jwt(self, kid: str, now: float) -> str:
        def b64(obj: dict[str, Any]) -> str:
            return (
                base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode())
                .rstrip(b"=")
                .decode()
            )

        header = {"alg": "RS256", "kid": "bytenite-emulator", "typ": "JWT"}
        claims = {
            "aud": ["bytenite-app"],
            "client_id": "bytenite-app",
            "exp": int(now + self.token_ttl),
            "ext": {
                "display_name": "Emulator User",
                "email": "video@publisher.example",
                "email_verified": True,
                "role": "ROLE_ADMIN",
                "key_id": kid,
            },
            "iat": int(now),
            "iss": "https://auth.bytenite.example/",
            "jti": str(uuid.uuid4()),
            "nbf": int(now),
            "scp": ["openid"],
            "sub": self.user_id,
        }
        sig = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
        return f"{b64(header)}.{b64(claims)}.{sig}"

    def authenticate(self, header: str | None) -> Caller:
        if not header or not header.strip():
            raise wire.ApiError(
                wire.UNAUTHENTICATED,
                "missing Authorization header: send the access token from POST /v1/auth/access_token",
            )
        token = header.strip()
        if token[:7].lower() == "bearer ":
            token = token[7:].strip()
        info = self.tokens.get(token)
        if info is None:
            raise wire.ApiError(wire.UNAUTHENTICATED, "invalid or unknown access token")
        if info.expires < time.time():
            raise wire.ApiError(wire.UNAUTHENTICATED, "access token expired: request a new one")
        if info.key_id in self.revoked:
            raise wire.ApiError(wire.UNAUTHENTICATED, "the api key of this token was revoked")
        retry = self.limiter.take(token)
        if retry is not None:
            raise wire.ApiError(
                wire.RESOURCE_EXHAUSTED,
                f"rate limit exceeded: {self.limiter.rate:g} requests/s per token (burst {self.limiter.burst:g})",
                headers={"Retry-After": str(max(1, math.ceil(retry)))},
            )
        return Caller(token, info.key_id)

    def signout(self, caller: Caller) -> None:
        with self._lock:
            self.tokens.pop(caller.token, None)

    def api_keys_json(self) -> dict[str, Any]:
        out = []
        for n, key in enumerate(self.key_order):
            kid = self.key_id(key)
            out.append(
                {
                    "id": kid,
                    "name": "default" if n == 0 else f"key-{n + 1}",
                    "issuedAt": "2026-01-05T09:00:00.000000Z",
                    "expiresAt": "2027-01-05T09:00:00.000000Z",
                    "userId": self.user_id,
                    "revoked": kid in self.revoked,
                    "fingerprint": hashlib.sha256(key.encode()).hexdigest()[:16],
                }
            )
        return {"apiKeys": out}

    def revoke_key(self, kid: str) -> str:
        if kid not in {self.key_id(k) for k in self.key_order}:
            raise wire.not_found("api key", kid)
        with self._lock:
            already = kid in self.revoked
            self.revoked.add(kid)
            self.bump()
        return "api key already revoked" if already else "api key revoked"

    #: ByteChips on the emulated account before any job this emulator ran (legacy history is paid).
    OPENING_BALANCE = 1_000_000

    def wallet_balance(self) -> dict[str, Any]:
        """``GET /v1/customer/wallet/balance``, the legacy (2023) shape: all strings. The opening
        balance less what the jobs run here cost (``paymentAmount``, set when they end)."""
        with self._lock:
            spent = sum(j.payment_amount or 0 for j in self.jobs.values())
        left = str(self.OPENING_BALANCE - spent)
        return {"accountId": self.user_id, "totalBalance": left, "availableBalance": left}

    def user_json(self) -> dict[str, Any]:
        return {
            "user": {
                "id": self.user_id,
                "createdAt": "2026-01-05T09:00:00.000000Z",
                "lastLogin": wire.ts(self.clock.now()),
                "displayName": "Emulator User",
                "email": "video@publisher.example",
                "phoneNumber": None,
                "photoUrl": None,
                "providerId": "password",
                "emailVerified": True,
                "customClaims": None,
                "role": "ROLE_ADMIN",
            }
        }

    # ---- time ----------------------------------------------------------------------------------

    @property
    def today(self) -> date:
        return self.clock.today

    def now(self) -> datetime:
        return self.clock.now()

    def tick(self) -> None:
        """Advance running jobs to the state wall time says they are in (and make their assets)."""
        if not self.in_flight:
            return
        mono = time.monotonic()
        changed = False
        with self._lock:
            for jid in list(self.in_flight):
                job = self.jobs[jid]
                assert job.run_mono is not None and job.run_at is not None
                while job.plan and job.plan[0][0] <= mono - job.run_mono:
                    offset, state, error = job.plan.pop(0)
                    job.set_state(state, job.run_at + timedelta(seconds=offset), error)
                    changed = True
                    if state == wire.COMPLETE and job.template.video:
                        self._make_asset(job)
                if job.state in wire.TERMINAL_STATES:
                    self.in_flight.discard(jid)
            if changed:
                self.bump()

    # ---- jobs ----------------------------------------------------------------------------------

    def legacy_job(self, asset: Asset) -> Job:
        times = legacy_job_times(asset)
        v = asset.legacy
        assert v is not None
        job = Job(
            id=asset.job_id,
            template_id=VIDEO_TEMPLATE,
            created_at=times[wire.NEW],
            name=legacy_job_name(asset, self.world),
            description="Hand-made by the video team (before the integration)",
            config={"taskTimeout": 3600, "jobTimeout": 86400, "isTestJob": False},
            data_source={
                "dataSourceDescriptor": "url",
                "params": {
                    "@type": "type.googleapis.com/bytenite.data_source.HttpDataSource",
                    "url": f"https://masters.publisher.example/video/{asset.id}.mov",
                },
            },
            data_destination={"dataSourceDescriptor": "bucket", "params": None},
            params={
                "preset": None,
                "partitioner": {},
                "app": {
                    "outputs": [
                        {"name": "1080p", "output_type": "hls" if v.fmt == "HLS" else "mp4"}
                    ]
                },
                "assembler": {},
            },
            labels=dict(asset.labels),
            state=wire.COMPLETE,
            state_timestamps=dict(times),
            submitted_at=times[wire.READY],
            started_at=times[wire.PARTITIONING],
            ended_at=times[wire.COMPLETE],
            num_chunks=1 + int(asset.duration // 120),
            num_units=max(1, math.ceil(asset.duration / 60.0 * 20)),
            legacy_asset=asset,
        )
        job.payment_amount = job.num_units
        return job

    def find_job(self, job_id: str, *, include_deleted: bool = False) -> Job | None:
        job = self.jobs.get(job_id)
        if job is None:
            asset = self.history.legacy_jobs.get(job_id)
            if asset is not None:
                job = self.legacy_job(asset)
        if job is None or job.created_at.date() > self.today:
            return None
        if job.deleted_at is not None and not include_deleted:
            return None
        return job

    def get_job(self, job_id: str) -> Job:
        job = self.find_job(job_id)
        if job is None:
            raise wire.not_found("job", job_id)
        return job

    def job_response(self, job: Job) -> dict[str, Any]:
        return {"job": job_json(job), "templateInfo": job.template.info()}

    def create_job(self, body: dict[str, Any]) -> tuple[Job, bool]:
        template_id = body.get("templateId")
        if template_id is None or template_id == "":
            raise wire.invalid("templateId is required")
        if not isinstance(template_id, str):
            raise wire.invalid("templateId: expected a string")
        if template_id not in TEMPLATES:
            raise wire.not_found("template", template_id)
        job_id = body.get("jobId")
        if job_id is None:
            job_id = str(uuid.uuid4())
        else:
            job_id = wire.parse_uuid(job_id, "jobId")
        fields = self._job_fields(body)
        with self._lock:
            existing = self.jobs.get(job_id)
            if existing is None and job_id in self.history.legacy_jobs:
                raise wire.ApiError(
                    wire.ALREADY_EXISTS,
                    f"job {job_id} already exists and has started (JOB_STATE_COMPLETE); it cannot be re-created",
                )
            if existing is not None:
                if existing.deleted_at is not None:
                    raise wire.ApiError(
                        wire.ALREADY_EXISTS, f"job {job_id} was deleted; job ids are not reused"
                    )
                if existing.state != wire.NEW:
                    raise wire.ApiError(
                        wire.ALREADY_EXISTS,
                        f"job {job_id} already exists and has started ({existing.state}); it cannot be re-created",
                    )
                existing.template_id = template_id
                self._apply_job_fields(existing, fields)
                self.bump()
                return existing, False
            job = Job(id=job_id, template_id=template_id, created_at=self.now())
            job.state_timestamps[wire.NEW] = job.created_at
            self._apply_job_fields(job, fields)
            self.jobs[job_id] = job
            self.bump()
            return job, True

    def _job_fields(self, body: dict[str, Any]) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        if "name" in body:
            fields["name"] = wire.parse_str(body["name"], "name", max_len=500)
        if "description" in body:
            fields["description"] = wire.parse_str(body["description"], "description", max_len=5000)
        if "dataSource" in body:
            fields["data_source"] = parse_data_source(
                body["dataSource"], "dataSource", direction="source"
            )
        if "dataDestination" in body:
            fields["data_destination"] = parse_data_source(
                body["dataDestination"], "dataDestination", direction="destination"
            )
        if "params" in body:
            fields["params"] = parse_params(body["params"])
        if "config" in body:
            fields["config"] = parse_config(body["config"])
        if "regions" in body:
            regions = wire.parse_object(body["regions"], "regions")
            if regions is not None:
                for key in ("whitelist", "blacklist"):
                    items = regions.get(key) or []
                    if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
                        raise wire.invalid(f"regions.{key}: expected an array of strings")
                regions = {
                    "whitelist": list(regions.get("whitelist") or []),
                    "blacklist": list(regions.get("blacklist") or []),
                }
            fields["regions"] = regions
        if "startAt" in body:
            fields["start_at"] = wire.parse_timestamp(body["startAt"], "startAt")
        if "labels" in body:
            fields["labels"] = wire.parse_labels(body["labels"]) or {}
        return fields

    @staticmethod
    def _apply_job_fields(job: Job, fields: dict[str, Any]) -> None:
        for key, value in fields.items():
            if key == "config":
                job.config = {**job.config, **value}
            else:
                setattr(job, key, value)

    def _editable_job(self, job_id: str) -> Job:
        job = self.get_job(job_id)
        if job.state != wire.NEW:
            raise wire.precondition(
                f"job {job_id} is {job.state}: it can only be changed while JOB_STATE_NEW"
            )
        return job

    def patch_job(self, job_id: str, what: str, body: dict[str, Any]) -> Job:
        with self._lock:
            job = self._editable_job(job_id)
            if what == "datasource":
                if "dataSource" not in body and "dataDestination" not in body:
                    raise wire.invalid("send dataSource and/or dataDestination")
                fields = self._job_fields(
                    {k: body[k] for k in ("dataSource", "dataDestination") if k in body},
                )
            elif what == "params":
                fields = {"params": parse_params(body)}
            elif what == "jobname":
                if "name" not in body:
                    raise wire.invalid("name is required")
                fields = {
                    "name": wire.parse_str(body["name"], "name", allow_none=False, max_len=500)
                }
            elif what == "configs":
                fields = {"config": run_config(body)}
            else:  # pragma: no cover - routing only sends the four above
                raise wire.invalid(what)
            self._apply_job_fields(job, fields)
            self.bump()
            return job

    def run_job(self, job_id: str, body: dict[str, Any]) -> str:
        cfg = run_config(body)
        with self._lock:
            job = self.get_job(job_id)
            if job.state != wire.NEW:
                raise wire.precondition(
                    f"job {job_id} is {job.state}: only a JOB_STATE_NEW job can be run"
                )
            job.config = {**job.config, **cfg}
            now = self.now()
            job.plan = make_plan(job, self.job_step, now)
            job.run_mono = time.monotonic()
            job.run_at = now
            job.submitted_at = now
            job.num_units = (
                5 + int(hashlib.blake2b(job.id.encode(), digest_size=2).hexdigest(), 16) % 40
            )
            offset, state, error = job.plan.pop(0)
            job.set_state(state, now, error)
            self.in_flight.add(job.id)
            self.bump()
        return "job submitted"

    def abort_job(self, job_id: str) -> str:
        with self._lock:
            job = self.get_job(job_id)
            if job.state in wire.TERMINAL_STATES:
                raise wire.precondition(f"job {job_id} is {job.state}: nothing to abort")
            now = self.now()
            if job.started_at is None:
                job.deleted_at = now
                job.plan = []
                self.in_flight.discard(job.id)
                self.bump()
                return "job had not started: deleted"
            job.plan = []
            job.set_state(wire.ABORTED, now)
            self.in_flight.discard(job.id)
            self.bump()
            return "job aborted"

    def delete_job(self, job_id: str) -> str:
        with self._lock:
            job = self.get_job(job_id)
            job.deleted_at = self.now()
            job.plan = []
            self.in_flight.discard(job.id)
            if job.legacy_asset is not None:
                self.jobs[job.id] = job
            self.bump()
            return "job deleted"

    def job_results(self, job_id: str, base_url: str) -> dict[str, Any]:
        job = self.get_job(job_id)
        if job.state != wire.COMPLETE:
            return {"results": []}
        return {
            "results": [
                {"name": n, "link": results_link(base_url, job, n, self.secret)}
                for n in job.result_names()
            ]
        }

    def job_logs(self, body: dict[str, Any]) -> dict[str, Any]:
        job_id = body.get("jobId")
        if not isinstance(job_id, str) or not job_id:
            raise wire.invalid("jobId is required")
        job = self.get_job(wire.parse_uuid(job_id, "jobId"))
        filters = {}
        for key in ("taskIds", "levels", "services"):
            value = _str_list(body.get(key), key, max_items=10_000)
            if value is not None:
                filters[key] = set(value)
        for level in filters.get("levels", ()):
            if level not in wire.LOG_LEVELS:
                raise wire.invalid(f"levels: {level!r} is not one of {', '.join(wire.LOG_LEVELS)}")
        logs = synthetic_logs(job)
        levels = filters.get("levels")
        services = filters.get("services")
        task_ids = filters.get("taskIds")

        def keep(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [ln for ln in lines if levels is None or ln["level"] in levels]

        out: dict[str, Any] = {"partitioner": [], "assembler": [], "taskrunner": {}}
        for service in ("partitioner", "assembler"):
            if services is None or service in services:
                out[service] = keep(logs[service])
        if services is None or "taskrunner" in services:
            out["taskrunner"] = {
                tid: {"logs": keep(v["logs"])}
                for tid, v in logs["taskrunner"].items()
                if task_ids is None or tid in task_ids
            }
        return out

    def file_for_link(self, job_id: str, name: str, expires: str | None, sig: str | None) -> bytes:
        if not expires or not sig or not expires.isdigit():
            raise wire.ApiError(wire.PERMISSION_DENIED, "missing or malformed signature")
        job = self.find_job(job_id)
        if job is None or job.state != wire.COMPLETE or name not in job.result_names():
            raise wire.ApiError(wire.NOT_FOUND, "no such object")
        if not secrets.compare_digest(sign(self.secret, job_id, name, int(expires)), sig):
            raise wire.ApiError(wire.PERMISSION_DENIED, "signature does not match")
        if self.now().timestamp() > int(expires):
            raise wire.ApiError(
                wire.NOT_FOUND,
                "link expired: results are kept 48 hours after the job ended",
                http=410,
            )
        return result_file(job_id, name)

    def _visible_jobs(self, materialise: bool) -> list[Any]:
        """Visible jobs as (createdAt, name, state, id) rows, or as Job objects when filtering."""
        today = self.today
        out: list[Any] = []
        for a in self._legacy_by_created:
            if a.created_at.date() > today + timedelta(days=1):
                break
            overlay = self.jobs.get(a.job_id)
            if overlay is not None or materialise:
                job = overlay if overlay is not None else self.legacy_job(a)
                if job.deleted_at is None and job.created_at.date() <= today:
                    out.append(
                        job if materialise else (job.created_at, job.name or "", job.state, job.id)
                    )
                continue
            created = legacy_job_times(a)[wire.NEW]
            if created.date() <= today:
                out.append((created, legacy_job_name(a, self.world), wire.COMPLETE, a.job_id))
        for job in self.jobs.values():
            if (
                job.legacy_asset is None
                and job.deleted_at is None
                and job.created_at.date() <= today
            ):
                out.append(
                    job if materialise else (job.created_at, job.name or "", job.state, job.id)
                )
        return out

    JOB_ORDER = {"createdAt": 0, "name": 1, "state": 2}

    def list_jobs(
        self,
        limit: int,
        offset: int,
        order_by: str | None,
        flt: Callable[[Job], bool] | None = None,
        key: Any = None,
    ) -> dict[str, Any]:
        field, desc = parse_order(order_by, self.JOB_ORDER, default=("createdAt", True))
        col = self.JOB_ORDER[field]

        def build() -> list[Any]:
            if flt is not None:
                rows = [
                    (j.created_at, j.name or "", j.state, j.id)
                    for j in self._visible_jobs(True)
                    if flt(j)
                ]
            else:
                rows = self._visible_jobs(False)
            rows.sort(key=lambda r: (r[col], r[3]), reverse=desc)
            return [r[3] for r in rows]

        ids = self._cached(("jobs", field, desc, key), build)
        pagination, chunk = wire.page(ids, limit, offset)
        data = []
        for jid in chunk:
            job = self.find_job(jid)
            if job is not None:
                data.append(job_json(job))
        return {"pagination": pagination, "data": data}

    def filter_jobs(self, body: dict[str, Any]) -> dict[str, Any]:
        pg = wire.parse_object(body.get("pagination"), "pagination") or {}
        limit, offset = wire.parse_pagination(pg.get("limit"), pg.get("offset"))
        states = _str_list(body.get("states"), "states", wire.JOB_STATES)
        templates = _str_list(body.get("templateIds"), "templateIds")
        after = wire.parse_timestamp(body.get("createdAfter"), "createdAfter")
        before = wire.parse_timestamp(body.get("createdBefore"), "createdBefore")
        name = wire.parse_str(body.get("name"), "name")
        labels = wire.parse_object(body.get("labels"), "labels")
        if labels is not None and not all(isinstance(v, str) for v in labels.values()):
            raise wire.invalid("labels: values must be strings")
        order_by = wire.parse_str(body.get("orderBy"), "orderBy")

        def flt(j: Job) -> bool:
            if states and j.state not in states:
                return False
            if templates and j.template_id not in templates:
                return False
            if after and j.created_at < after:
                return False
            if before and j.created_at >= before:
                return False
            if name and name.lower() not in (j.name or "").lower():
                return False
            return not labels or all(j.labels.get(k) == v for k, v in labels.items())

        key = json.dumps(
            [states, templates, str(after), str(before), name, labels], sort_keys=True, default=str
        )
        return self.list_jobs(limit, offset, order_by, flt, key)

    # ---- assets ----------------------------------------------------------------------------

    def _make_asset(self, job: Job) -> Asset:
        aid = asset_id_for_job(job.id)
        if aid in self.asset_by_id:
            return self.asset_by_id[aid]
        assert job.ended_at is not None
        labels = dict(job.labels)
        deliverable = labels.get("deliverableType")
        meta = None
        app = (job.params or {}).get("app") or {}
        if isinstance(app, dict) and app.get("metadata") is not None:
            meta = wire.parse_metadata(app["metadata"], "params.app.metadata")
        title = (meta or {}).get("title") or job.name or f"Video {job.id[:8]}"
        lo, hi = _DURATIONS[deliverable]
        duration = float(
            lo
            + int(hashlib.blake2b(job.id.encode(), digest_size=4).hexdigest(), 16) % (hi - lo + 1)
        )
        vertical = deliverable in _VERTICAL
        asset = Asset(
            idx=len(self.assets),
            id=aid,
            job_id=job.id,
            created_at=job.ended_at,
            ready_at=at_time(job.ended_at.date() + timedelta(days=1), 2),
            deliverable=deliverable,
            labels=labels,
            result_name=job.result_names()[0],
            duration=duration,
            fmt="ASSET_FORMAT_MP4",
            width=1080 if vertical else 1920,
            height=1920 if vertical else 1080,
            video_codec="h264",
            audio_codec="aac",
            bitrate_kbps=4500 if vertical else 5000,
            title0=title,
            metadata0=meta,
        )
        i, audio_k = self.history.locate_work(labels)
        aud = self.history.audience_for_work(i, audio_k, fallback=job.ended_at.date())
        self.assets.append(asset)
        self.asset_by_id[aid] = asset
        self.analytics.add_asset(asset, aud.scale, aud.launch)
        return asset

    def _asset(self, asset_id: str) -> Asset:
        a = self.asset_by_id.get(asset_id)
        if a is None or a.created_on > self.today:
            raise wire.not_found("asset", asset_id)
        return a

    def _fixture_asset(self, asset_id: str) -> dict[str, Any] | None:
        for rec in reversed(self.fixture_assets):
            if rec.get("id") == asset_id:
                return rec
        return None

    def get_asset(self, asset_id: str) -> dict[str, Any]:
        fx = self._fixture_asset(asset_id)
        if fx is not None:
            return {"asset": fx}
        return {"asset": self.asset_json(self._asset(asset_id))}

    def asset_json(self, a: Asset, day: date | None = None) -> dict[str, Any]:
        day = day or self.today
        events = [e for e in a.status_events() if e[0] <= day]
        status = events[-1][1] if events else wire.P_DRAFT
        stamps: dict[str, str | None] = {}
        for _, s, t in events:
            stamps[s] = wire.ts(t)
        ready = any(s == wire.P_READY for _, s, _ in events)
        title = a.title_on(day, a.title0 or "")
        meta = a.metadata_on(day, a.base_metadata())
        return {
            "id": a.id,
            "jobId": a.job_id,
            "resultName": a.result_name,
            "title": title,
            "deliverableType": a.deliverable,
            "labels": dict(a.labels),
            "metadata": meta,
            "assetUrl": a.asset_url,
            "thumbnailUrl": a.thumbnail_url if ready else None,
            "durationSeconds": a.duration,
            "format": a.fmt,
            "width": a.width,
            "height": a.height,
            "videoCodec": a.video_codec,
            "audioCodec": a.audio_codec,
            "bitrateKbps": a.bitrate_kbps,
            "sizeBytes": str(a.size_bytes),
            "publishingStatus": status,
            "statusTimestamps": stamps,
            "createdAt": wire.ts(a.created_at),
            "updatedAt": wire.ts(a.updated_at_on(day)),
            "publishedAt": stamps.get(wire.P_PUBLISHED),
        }

    ASSET_ORDER = {
        "createdAt": lambda a: (a.created_at, a.id),
        "updatedAt": None,
        "id": lambda a: (a.id,),
    }

    def list_assets(self, query: Any) -> dict[str, Any]:
        limit, offset = wire.query_pagination(query)
        status = wire.parse_enum(
            query.get("publishingStatus"),
            "publishingStatus",
            wire.PUBLISHING_STATUSES,
            allow_none=True,
        )
        deliverable = wire.parse_enum(
            query.get("deliverableType"), "deliverableType", wire.DELIVERABLE_TYPES, allow_none=True
        )
        since = wire.parse_timestamp(query.get("updatedSince"), "updatedSince", allow_date=True)
        field, desc = parse_order(
            query.get("orderBy"), self.ASSET_ORDER, default=("createdAt", False)
        )
        today = self.today

        def build() -> list[Any]:
            rows: list[tuple[Any, Asset]] = []
            for a in self.assets:
                if a.created_on > today:
                    continue
                if deliverable and a.deliverable != deliverable:
                    continue
                if status and a.status_on(today) != status:
                    continue
                updated = a.updated_at_on(today) if (since or field == "updatedAt") else None
                if since and updated is not None and updated < since:
                    continue
                key = (updated, a.id) if field == "updatedAt" else self.ASSET_ORDER[field](a)
                rows.append((key, a))
            rows.sort(key=lambda r: r[0], reverse=desc)
            out: list[Any] = [a for _, a in rows]
            for fx in self.fixture_assets:
                if status and fx.get("publishingStatus") != status:
                    continue
                if deliverable and fx.get("deliverableType") != deliverable:
                    continue
                if since and _fixture_before(fx.get("updatedAt"), since):
                    continue
                out.append(fx)
            return out

        items = self._cached(("assets", status, deliverable, str(since), field, desc), build)
        pagination, chunk = wire.page(items, limit, offset)
        return {
            "pagination": pagination,
            "data": [x if isinstance(x, dict) else self.asset_json(x) for x in chunk],
        }

    def job_assets(self, job_id: str) -> dict[str, Any]:
        job = self.get_job(job_id)
        out: list[dict[str, Any]] = []
        aid = (
            job.legacy_asset.id
            if job.legacy_asset is not None
            else (asset_id_for_job(job.id) if job.template.video else None)
        )
        if aid is not None:
            a = self.asset_by_id.get(aid)
            if a is not None and a.created_on <= self.today:
                out.append(self.asset_json(a))
        out.extend(fx for fx in self.fixture_assets if fx.get("jobId") == job_id)
        return {"assets": out}

    def _writable_asset(self, asset_id: str) -> Asset:
        if self._fixture_asset(asset_id) is not None and asset_id not in self.asset_by_id:
            raise wire.precondition(
                f"asset {asset_id} is an injected fixture: fixtures are read-only"
            )
        return self._asset(asset_id)

    def set_asset_metadata(self, asset_id: str, body: dict[str, Any]) -> dict[str, Any]:
        if "metadata" not in body:
            raise wire.invalid("metadata is required (null clears it)")
        meta = wire.parse_metadata(body["metadata"])
        with self._lock:
            a = self._writable_asset(asset_id)
            a.metadata_writes = (a.metadata_writes or []) + [(self.today, meta, self.now())]
            self.bump()
            return {"asset": self.asset_json(a)}

    def set_asset_title(self, asset_id: str, body: dict[str, Any]) -> dict[str, Any]:
        title = wire.parse_str(body.get("title"), "title", allow_none=False, max_len=500)
        if not title or not title.strip():
            raise wire.invalid("title must not be empty")
        with self._lock:
            a = self._writable_asset(asset_id)
            a.title_writes = (a.title_writes or []) + [(self.today, title, self.now())]
            self.bump()
            return {"asset": self.asset_json(a)}

    def _set_status(self, a: Asset, status: str) -> None:
        a.status_writes = (a.status_writes or []) + [(self.today, status, self.now())]
        a.status_writes.sort(key=lambda e: e[0])
        for p in a.placements:
            self._mark_dirty(p)

    def _mark_dirty(self, p: Placement) -> None:
        self.dirty[p.idx] = p
        self.analytics.mark_dirty(p)

    def publish_asset(self, asset_id: str) -> str:
        with self._lock:
            a = self._writable_asset(asset_id)
            current = a.status_on(self.today)
            if current == wire.P_PUBLISHED:
                return "asset already published"
            if current not in (wire.P_READY, wire.P_UNPUBLISHED):
                raise wire.precondition(
                    f"asset {asset_id} is {current}: only a READY or UNPUBLISHED asset can be published"
                )
            self._set_status(a, wire.P_PUBLISHED)
            self.bump(metrics=True)
            return "asset published"

    def unpublish_asset(self, asset_id: str) -> str:
        with self._lock:
            a = self._writable_asset(asset_id)
            current = a.status_on(self.today)
            if current == wire.P_UNPUBLISHED:
                return "asset already unpublished"
            if current != wire.P_PUBLISHED:
                raise wire.precondition(
                    f"asset {asset_id} is {current}: only a PUBLISHED asset can be unpublished"
                )
            self._set_status(a, wire.P_UNPUBLISHED)
            now = self.now()
            disabled = 0
            for p in a.placements:
                view = p.view_on(self.today)
                if (
                    view.exists
                    and p.created_on <= self.today
                    and view.state in (wire.S_ENABLED, wire.S_PENDING)
                ):
                    p.add_event(self.today, "state", wire.S_DISABLED, now)
                    disabled += 1
            self.bump(metrics=True)
            return f"asset unpublished; {disabled} placement(s) disabled"

    # ---- placements ----------------------------------------------------------------------------

    def placement_json(self, p: Placement, day: date | None = None) -> dict[str, Any]:
        day = day or self.today
        v = p.view_on(day)
        return {
            "id": p.id,
            "assetId": p.asset.id,
            "channel": p.channel,
            "regions": {"whitelist": list(v.whitelist), "blacklist": list(v.blacklist)},
            "state": v.state,
            "errorMessage": v.error_message,
            "enabledAt": wire.ts(v.enabled_at),
            "disabledAt": wire.ts(v.disabled_at),
            "stateTimestamps": {k: wire.ts(t) for k, t in v.state_timestamps.items()},
            "createdAt": wire.ts(p.created_at),
            "updatedAt": wire.ts(v.updated_at),
        }

    def _placement(self, placement_id: str) -> Placement:
        p = self.placement_by_id.get(placement_id)
        if p is None or p.created_on > self.today or not p.view_on(self.today).exists:
            raise wire.not_found("placement", placement_id)
        return p

    def _fixture_placement(self, placement_id: str) -> dict[str, Any] | None:
        for rec in reversed(self.fixture_placements):
            if rec.get("id") == placement_id:
                return rec
        return None

    def _writable_placement(self, placement_id: str) -> Placement:
        if (
            self._fixture_placement(placement_id) is not None
            and placement_id not in self.placement_by_id
        ):
            raise wire.precondition(
                f"placement {placement_id} is an injected fixture: fixtures are read-only"
            )
        return self._placement(placement_id)

    def get_placement(self, placement_id: str) -> dict[str, Any]:
        fx = self._fixture_placement(placement_id)
        if fx is not None:
            return {"placement": fx}
        return {"placement": self.placement_json(self._placement(placement_id))}

    def create_placement(self, asset_id: str, body: dict[str, Any]) -> Placement:
        channel = wire.parse_enum(body.get("channel"), "channel", wire.CHANNELS)
        regions = (
            wire.parse_regions(body["regions"])
            if body.get("regions") is not None
            else {"whitelist": [], "blacklist": []}
        )
        enabled = wire.parse_bool(body.get("enabled"), "enabled")
        enabled = True if enabled is None else enabled
        with self._lock:
            a = self._writable_asset(asset_id)
            status = a.status_on(self.today)
            if status == wire.P_READY and enabled:
                raise wire.precondition(
                    f"asset {asset_id} is READY: create the placement with enabled=false, or publish the asset first"
                )
            if status not in (wire.P_PUBLISHED, wire.P_READY):
                raise wire.precondition(
                    f"asset {asset_id} is {status}: placements need a PUBLISHED asset (or READY with enabled=false)"
                )
            for other in a.placements:
                if (
                    other.channel == channel
                    and other.created_on <= self.today
                    and other.view_on(self.today).exists
                ):
                    raise wire.ApiError(
                        wire.ALREADY_EXISTS,
                        f"asset {asset_id} already has placement {other.id} on {channel}",
                    )
            now = self.now()
            p = Placement(
                idx=len(self.placements),
                id=str(uuid.uuid4()),
                asset=a,
                channel=channel,
                created_at=now,
                state0=wire.S_ENABLED if enabled else wire.S_PENDING,
                whitelist0=tuple(regions["whitelist"]),
                blacklist0=tuple(regions["blacklist"]),
            )
            self.placements.append(p)
            self.placement_by_id[p.id] = p
            a.placements.append(p)
            self._mark_dirty(p)
            self.bump(metrics=True)
            return p

    def set_placement_state(self, placement_id: str, enable: bool) -> str:
        with self._lock:
            p = self._writable_placement(placement_id)
            state = p.view_on(self.today).state
            if enable:
                if state == wire.S_ENABLED:
                    return "placement already enabled"
                status = p.asset.status_on(self.today)
                if status != wire.P_PUBLISHED:
                    raise wire.precondition(
                        f"asset {p.asset.id} is {status}: a placement can only be enabled on a PUBLISHED asset"
                    )
                target = wire.S_ENABLED
            else:
                if state == wire.S_DISABLED:
                    return "placement already disabled"
                target = wire.S_DISABLED
            p.add_event(self.today, "state", target, self.now())
            self._mark_dirty(p)
            self.bump(metrics=True)
            return "placement enabled" if enable else "placement disabled"

    def set_placement_regions(self, placement_id: str, body: dict[str, Any]) -> dict[str, Any]:
        if body.get("regions") is None:
            raise wire.invalid("regions is required")
        regions = wire.parse_regions(body["regions"])
        with self._lock:
            p = self._writable_placement(placement_id)
            p.add_event(
                self.today,
                "regions",
                (tuple(regions["whitelist"]), tuple(regions["blacklist"])),
                self.now(),
            )
            self._mark_dirty(p)
            self.bump(metrics=True)
            return {"placement": self.placement_json(p)}

    def delete_placement(self, placement_id: str) -> str:
        with self._lock:
            p = self._writable_placement(placement_id)
            p.add_event(self.today, "deleted", None, self.now())
            self._mark_dirty(p)
            self.bump(metrics=True)
            return "placement deleted"

    PLACEMENT_ORDER = {
        "createdAt": lambda p: (p.created_at, p.id),
        "updatedAt": None,
        "id": lambda p: (p.id,),
    }

    def list_placements(self, query: Any) -> dict[str, Any]:
        limit, offset = wire.query_pagination(query)
        asset_id = query.get("assetId")
        if asset_id is not None:
            asset_id = wire.parse_uuid(asset_id, "assetId")
        channel = wire.parse_enum(query.get("channel"), "channel", wire.CHANNELS, allow_none=True)
        state = wire.parse_enum(query.get("state"), "state", wire.PLACEMENT_STATES, allow_none=True)
        field, desc = parse_order(
            query.get("orderBy"), self.PLACEMENT_ORDER, default=("createdAt", False)
        )
        today = self.today

        def build() -> list[Any]:
            if asset_id is not None:
                a = self.asset_by_id.get(asset_id)
                pool = a.placements if a is not None else []
            else:
                pool = self.placements
            rows: list[tuple[Any, Placement]] = []
            for p in pool:
                if p.created_on > today or (channel and p.channel != channel):
                    continue
                if p.events is None and p.legacy and not p.asset.dirty:
                    # seeded and untouched: the state follows from the dates alone
                    exists = True
                    st = (
                        wire.S_DISABLED
                        if (p.seeded_end and p.seeded_end.date() <= today)
                        else wire.S_ENABLED
                    )
                    upd = p.seeded_end if st == wire.S_DISABLED else p.created_at
                else:
                    v = p.view_on(today)
                    exists, st, upd = v.exists, v.state, v.updated_at
                if not exists or (state and st != state):
                    continue
                key = (upd, p.id) if field == "updatedAt" else self.PLACEMENT_ORDER[field](p)
                rows.append((key, p))
            rows.sort(key=lambda r: r[0], reverse=desc)
            out: list[Any] = [p for _, p in rows]
            for fx in self.fixture_placements:
                if asset_id and fx.get("assetId") != asset_id:
                    continue
                if channel and fx.get("channel") != channel:
                    continue
                if state and fx.get("state") != state:
                    continue
                out.append(fx)
            return out

        items = self._cached(("placements", asset_id, channel, state, field, desc), build)
        pagination, chunk = wire.page(items, limit, offset)
        return {
            "pagination": pagination,
            "data": [x if isinstance(x, dict) else self.placement_json(x) for x in chunk],
        }

    # ---- analytics -----------------------------------------------------------------------------

    def _day_rows(self, day: date, assets: np.ndarray | None, include_zero: bool) -> DayRows:
        return self.analytics.day(day, list(self.dirty.values()), assets, include_zero)

    def _asset_filter(self, ids: list[str] | None) -> np.ndarray | None:
        if ids is None:
            return None
        idx = sorted({self.asset_by_id[i].idx for i in ids if i in self.asset_by_id})
        return np.array(idx, dtype=np.int32)

    def daily_metrics(self, body: dict[str, Any]) -> dict[str, Any]:
        asset_ids = _str_list(body.get("assetIds"), "assetIds", max_items=1000)
        if asset_ids is not None:
            for n, a in enumerate(asset_ids):
                wire.parse_uuid(a, f"assetIds[{n}]")
        channels = _str_list(body.get("channels"), "channels", wire.CHANNELS)
        countries = _str_list(body.get("countries"), "countries", max_items=300)
        for c in countries or ():
            if not wire.COUNTRY_RE.match(c):
                raise wire.invalid(f"countries: {c!r} is not an ISO 3166-1 alpha-2 code or ZZ")
        first, last = parse_range(body.get("dateRange"))
        pg = wire.parse_object(body.get("pagination"), "pagination") or {}
        limit, offset = wire.parse_pagination(pg.get("limit"), pg.get("offset"))
        order = wire.parse_str(body.get("orderBy"), "orderBy") or "date"
        if order not in ("date", "-date"):
            raise wire.invalid(
                "orderBy: 'date' (default; then assetId, channel, country) or '-date'"
            )
        include_zero = bool(wire.parse_bool(body.get("includeZeroRows"), "includeZeroRows"))
        days = _days(first, min(last, self.today))
        if order == "-date":
            days.reverse()
        afilter = self._asset_filter(asset_ids)
        chan_idx = (
            None
            if channels is None
            else np.array([wire.CHANNELS.index(c) for c in channels], np.int8)
        )
        country_idx = None
        if countries is not None:
            country_idx = np.array(
                [COUNTRY_AXIS.index(c) for c in countries if c in COUNTRY_AXIS], np.int8
            )
        fkey = (
            None if asset_ids is None else tuple(sorted(asset_ids)),
            None if channels is None else tuple(sorted(channels)),
            None if countries is None else tuple(sorted(countries)),
            include_zero,
        )

        def select(day: date) -> tuple[DayRows, np.ndarray | None, list[dict[str, Any]]]:
            rows = self._day_rows(day, afilter, include_zero)
            sel = None
            if chan_idx is not None or country_idx is not None:
                m = np.ones(len(rows), bool)
                if chan_idx is not None:
                    m &= np.isin(rows.chan, chan_idx)
                if country_idx is not None:
                    m &= np.isin(rows.country, country_idx)
                sel = np.nonzero(m)[0]
            fixtures = [
                r
                for r in self.fixture_metrics.get(day, ())
                if (asset_ids is None or r.get("assetId") in asset_ids)
                and (channels is None or r.get("channel") in channels)
                and (countries is None or r.get("country") in countries)
            ]
            return rows, sel, fixtures

        def count(day: date) -> int:
            key = (day, fkey, self.gen)
            hit = self._counts.get(key)
            if hit is None:
                rows, sel, fixtures = select(day)
                hit = (len(rows) if sel is None else int(sel.shape[0])) + len(fixtures)
                self._counts[key] = hit
                while len(self._counts) > 4096:
                    self._counts.popitem(last=False)
            return hit

        with self._lock:
            counts = [count(d) for d in days]
            total = sum(counts)
            data: list[dict[str, Any]] = []
            skip = offset
            for day, n in zip(days, counts, strict=True):
                if len(data) >= limit:
                    break
                if skip >= n:
                    skip -= n
                    continue
                rows, sel, fixtures = select(day)
                n_gen = len(rows) if sel is None else int(sel.shape[0])
                want = limit - len(data)
                start, stop = skip, min(n, skip + want)
                skip = 0
                gen_stop = min(stop, n_gen)
                if start < gen_stop:
                    if sel is None:
                        data.extend(self.analytics.serialise(day, rows, start, gen_stop))
                    else:
                        data.extend(
                            self.analytics.serialise(
                                day, rows.take(sel[start:gen_stop]), 0, gen_stop - start
                            )
                        )
                if stop > n_gen:
                    data.extend(fixtures[max(0, start - n_gen) : stop - n_gen])
        return {"pagination": wire.pagination_block(total, offset, len(data)), "data": data}

    def summary(self, query: Any) -> dict[str, Any]:
        asset_id = query.get("assetId")
        if asset_id is not None:
            asset_id = wire.parse_uuid(asset_id, "assetId")
        if query.get("from") is None or query.get("to") is None:
            raise wire.invalid("from and to are required (YYYY-MM-DD)")
        first, last = parse_range({"from": query.get("from"), "to": query.get("to")})
        group = wire.parse_enum(
            query.get("groupBy", "ANALYTICS_DIMENSION_DATE"), "groupBy", wire.DIMENSIONS
        )
        afilter = self._asset_filter([asset_id]) if asset_id else None
        acc: dict[str, list[int]] = {}
        with self._lock:
            for day in _days(first, min(last, self.today)):
                rows = self._day_rows(day, afilter, False)
                if not len(rows):
                    continue
                if group == "ANALYTICS_DIMENSION_DATE":
                    keys = [day.isoformat()]
                    groups = np.zeros(len(rows), np.int64)
                elif group == "ANALYTICS_DIMENSION_CHANNEL":
                    keys = list(wire.CHANNELS)
                    groups = rows.chan.astype(np.int64)
                else:
                    keys = list(COUNTRY_AXIS)
                    groups = rows.country.astype(np.int64)
                size = len(keys)
                views = np.bincount(groups, weights=rows.views, minlength=size)
                watch = np.bincount(groups, weights=rows.watch, minlength=size)
                comp = np.bincount(
                    groups, weights=rows.views * rows.comp_b.astype(np.int64), minlength=size
                )
                eng = np.bincount(
                    groups,
                    weights=(rows.likes.astype(np.int64) + rows.comments + rows.shares),
                    minlength=size,
                )
                for n, k in enumerate(keys):
                    if views[n] <= 0:
                        continue
                    slot = acc.setdefault(k, [0, 0, 0, 0])
                    slot[0] += int(views[n])
                    slot[1] += int(watch[n])
                    slot[2] += int(comp[n])
                    slot[3] += int(eng[n])

        def agg(v: list[int]) -> dict[str, Any]:
            views = v[0]
            return {
                "views": str(views),
                "watchTimeSeconds": str(v[1]),
                "completionRate": math.floor(v[2] / views) / 10000 if views else 0.0,
                "engagementRate": math.floor(v[3] * 10000 / views) / 10000 if views else 0.0,
            }

        rows_out = [{"key": k, **agg(v)} for k, v in sorted(acc.items())]
        total = [sum(v[i] for v in acc.values()) for i in range(4)]
        return {"rows": rows_out, "totals": agg(total)}

    # ---- fixtures ------------------------------------------------------------------------------

    def load_fixtures(self, payload: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(payload, dict):
            raise ValueError("payload must be an object")
        unknown = set(payload) - {"assets", "placements", "metrics", "replace"}
        if unknown:
            raise ValueError(f"unknown keys {sorted(unknown)}")
        assets = payload.get("assets") or []
        placements = payload.get("placements") or []
        metrics = payload.get("metrics") or []
        for name, items in (("assets", assets), ("placements", placements), ("metrics", metrics)):
            if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
                raise ValueError(
                    f"{name} must be a list of JSON objects (their fields may be anything)"
                )
        parsed_metrics: list[tuple[date, dict[str, Any]]] = []
        for n, row in enumerate(metrics):
            row = dict(row)
            serve = row.pop("_serveOn", None)
            when = serve if serve is not None else row.get("date")
            try:
                day = (
                    date.fromisoformat(when) if isinstance(when, str) and len(when) == 10 else None
                )
            except ValueError:
                day = None
            if day is None:
                raise ValueError(
                    f"metrics[{n}]: no valid 'date'; give '_serveOn': 'YYYY-MM-DD' to say which day serves it"
                )
            parsed_metrics.append((day, row))
        with self._lock:
            if payload.get("replace"):
                self.fixture_assets.clear()
                self.fixture_placements.clear()
                self.fixture_metrics.clear()
            self.fixture_assets.extend(dict(x) for x in assets)
            self.fixture_placements.extend(dict(x) for x in placements)
            for day, row in parsed_metrics:
                self.fixture_metrics.setdefault(day, []).append(row)
            self.bump()
        return {
            "ok": True,
            "assets": len(assets),
            "placements": len(placements),
            "metrics": len(metrics),
        }

    # ---- helpers -------------------------------------------------------------------------------

    def _cached(self, key: Any, build: Callable[[], list[Any]]) -> list[Any]:
        full = (key, self.today, self.gen)
        hit = self._list_cache.get(full)
        if hit is None:
            with self._lock:
                hit = build()
            self._list_cache[full] = hit
            while len(self._list_cache) > 16:
                self._list_cache.popitem(last=False)
        else:
            self._list_cache.move_to_end(full)
        return hit


# --------------------------------------------------------------------------------------------


def parse_order(
    value: Any, allowed: dict[str, Any], *, default: tuple[str, bool]
) -> tuple[str, bool]:
    """``field`` (ascending) or ``-field`` (descending)."""
    if value is None or value == "":
        return default
    if not isinstance(value, str):
        raise wire.invalid("orderBy: expected a string")
    desc = value.startswith("-")
    text = value[1:] if desc else value
    if text not in allowed:
        raise wire.invalid(
            f"orderBy: one of {', '.join(allowed)} (prefix '-' for descending), got {value!r}"
        )
    return text, desc


def parse_range(value: Any) -> tuple[date, date]:
    obj = wire.parse_object(value, "dateRange", allow_none=False)
    assert obj is not None
    first = wire.parse_date(obj.get("from"), "dateRange.from")
    last = wire.parse_date(obj.get("to"), "dateRange.to")
    if first > last:
        raise wire.invalid("dateRange: from is after to")
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise wire.invalid(f"dateRange: at most {MAX_RANGE_DAYS} days")
    return first, last


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _str_list(
    value: Any, field: str, allowed: Any = None, *, max_items: int = 100
) -> list[str] | None:
    """A repeated string filter; None (no filter) when absent or empty, as in ByteNite's
    protobuf-based API, where an empty repeated field is the same as an unset one."""
    if value is None or value == []:
        return None
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise wire.invalid(f"{field}: expected an array of strings")
    if len(value) > max_items:
        raise wire.invalid(f"{field}: at most {max_items} items")
    if allowed is not None:
        for x in value:
            if x not in allowed:
                raise wire.invalid(f"{field}: {x!r} is not one of {', '.join(allowed)}")
    return list(value)


def _fixture_before(value: Any, since: datetime) -> bool:
    try:
        ts = wire.parse_timestamp(value, "updatedAt")
    except wire.ApiError:
        return False
    return ts is not None and ts < since


_ = UTC  # timestamps are UTC throughout
