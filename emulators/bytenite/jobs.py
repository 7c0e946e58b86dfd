"""Jobs: the documented ByteNite record, its timed run plan, templates and synthetic outputs."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from . import wire
from .model import Asset

# --------------------------------------------------------------------------------------------
# Templates
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Template:
    id: str
    name: str
    description: str
    app: str
    partitioner: str
    assembler: str
    #: output file names relative to the results folder; "{slug}" is the job's name slug.
    outputs: tuple[str, ...]
    video: bool = False

    def info(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "owner": "bytenite",
            "description": self.description,
            "app": self.app,
            "partitioner": self.partitioner,
            "assembler": self.assembler,
        }

    def listing(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "app": self.app,
            "partitioner": self.partitioner,
            "assembler": self.assembler,
            "isPublic": True,
            "owner": "bytenite",
            "createdAt": "2023-03-01T00:00:00.000000Z",
            "updatedAt": "2025-08-29T00:00:00.000000Z",
        }


VIDEO_TEMPLATE = "video-transcoding@v0.2"
TEMPLATES: dict[str, Template] = {
    t.id: t
    for t in (
        Template(
            VIDEO_TEMPLATE,
            "Video transcoding",
            "Transcode a master into MP4/HLS renditions (legacy video product); completed jobs make a VideoAsset",
            "video-transcoding@0.2",
            "video-chunker@0.2",
            "video-stitcher@0.2",
            # two renditions and the poster frame (the legacy product's `png` output type)
            ("out_0/{slug}_1080p.mp4", "out_1/{slug}_720p.mp4", "out_2/{slug}_poster.png"),
            video=True,
        ),
        Template(
            "hello-world-template",
            "Hello world",
            "The onboarding template: one task that writes a greeting",
            "hello-world@1",
            "replicate-fanout",
            "zipper",
            ("out_0/{slug}.zip",),
        ),
        Template(
            "img-gen-diffusers-template",
            "Image generation (diffusers)",
            "Generate images from a prompt",
            "img-gen-diffusers@1",
            "replicate-fanout",
            "zipper",
            ("out_0/{slug}.zip",),
        ),
        Template(
            # ByteNite's own demo and the llm-serving/img-gen docs: a GPU image-generation template
            "img-gen-diffusers-flux-gpu-template",
            "Image generation (FLUX, GPU)",
            "Generate images from a prompt with a FLUX diffusers pipeline on a GPU",
            "img-gen-diffusers-flux-gpu@1",
            "replicate-fanout",
            "zipper",
            ("out_0/{slug}.zip",),
        ),
        Template(
            "llama4-app-gpu-template",
            "LLM serving (Llama 4, GPU)",
            "Answer prompts with a Llama 4 model on a GPU",
            "llama4-app-gpu@1",
            "replicate-fanout",
            "zipper",
            ("out_0/{slug}.zip",),
        ),
        Template(
            "opencv-container@v0.1",
            "OpenCV container (legacy)",
            "Run an OpenCV script over images (2023 custom-container example)",
            "opencv-container@0.1",
            "replicate-fanout",
            "zipper",
            ("out_0/{slug}.zip",),
        ),
        Template(
            "transcription-service-template",
            "Transcription",
            "Transcribe audio to text",
            "transcription-service@1",
            "audio-chunker@1",
            "text-joiner@1",
            ("out_0/{slug}.json",),
        ),
    )
}

# --------------------------------------------------------------------------------------------
# The job record
# --------------------------------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class Job:
    id: str
    template_id: str
    created_at: datetime
    name: str | None = None
    description: str | None = None
    config: dict[str, Any] = field(
        default_factory=lambda: {"taskTimeout": None, "jobTimeout": None, "isTestJob": None}
    )
    start_at: datetime | None = None
    regions: dict[str, Any] | None = None
    data_source: dict[str, Any] | None = None
    data_destination: dict[str, Any] | None = None
    params: dict[str, Any] | None = None
    labels: dict[str, str] = field(default_factory=dict)
    state: str = wire.NEW
    state_timestamps: dict[str, datetime] = field(default_factory=dict)
    submitted_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    deleted_at: datetime | None = None
    error_message: str | None = None
    num_chunks: int | None = None
    payment_amount: int | None = None
    num_units: int | None = None
    #: (seconds after run, state, error message) still to happen; run_mono is the wall clock at run.
    plan: list[tuple[float, str, str | None]] = field(default_factory=list)
    run_mono: float | None = None
    run_at: datetime | None = None
    legacy_asset: Asset | None = None

    @property
    def template(self) -> Template:
        return TEMPLATES[self.template_id]

    @property
    def slug(self) -> str:
        from .history import slugify

        return slugify(self.name or self.id[:8])

    def result_names(self) -> list[str]:
        if self.legacy_asset is not None:
            first = self.legacy_asset.result_name
            return [
                first,
                first.replace("out_0/", "out_1/").replace("_1080p", "_720p"),
                poster_name(first),
            ]
        return [o.format(slug=self.slug) for o in self.template.outputs]

    def set_state(self, state: str, at: datetime, error: str | None = None) -> None:
        self.state = state
        self.state_timestamps[state] = at
        if state == wire.PARTITIONING:
            self.started_at = at
            self.num_chunks = self.num_chunks or 1 + _stable(self.id, 8)
        if state in wire.TERMINAL_STATES:
            self.ended_at = at
            if error:
                self.error_message = error
            if state == wire.COMPLETE:
                secs = (at - (self.started_at or at)).total_seconds()
                self.payment_amount = max(1, math.ceil(secs / 60.0 * (self.num_chunks or 1)))

    def duration(self) -> float | None:
        if self.started_at is None:
            return None
        end = self.ended_at
        if end is None:
            return None
        return round((end - self.started_at).total_seconds(), 6)


def _stable(key: str, modulo: int) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=4).digest()) % modulo


def make_plan(job: Job, step: float, now: datetime) -> list[tuple[float, str, str | None]]:
    """When each state is reached after ``run``: one step per state, honouring startAt,
    a FAIL in the name (fails while running) and config.jobTimeout (seconds after run)."""
    delay = max(0.0, (job.start_at - now).total_seconds()) if job.start_at else 0.0
    plan: list[tuple[float, str, str | None]] = [(0.0, wire.READY, None)]
    for n, state in enumerate(wire.RUN_SEQUENCE[1:], start=1):
        plan.append((delay + n * step, state, None))
    if job.name and "FAIL" in job.name.upper():
        cut = delay + 3 * step
        plan = [e for e in plan if e[0] < cut] + [
            (cut, wire.FAILED, "task 0 failed: exit status 1")
        ]
    timeout = job.config.get("jobTimeout")
    if timeout and timeout > 0 and plan[-1][0] > timeout:
        plan = [e for e in plan if e[0] < timeout] + [
            (float(timeout), wire.FAILED, "job timeout exceeded")
        ]
    return plan


def job_json(job: Job) -> dict[str, Any]:
    cfg = job.config
    return {
        "id": job.id,
        "templateId": job.template_id,
        "name": job.name,
        "description": job.description,
        "config": {
            "taskTimeout": None if cfg.get("taskTimeout") is None else str(cfg["taskTimeout"]),
            "jobTimeout": None if cfg.get("jobTimeout") is None else str(cfg["jobTimeout"]),
            "isTestJob": cfg.get("isTestJob"),
        },
        "priority": wire.PRIORITY_UNDEFINED,
        "startAt": wire.ts(job.start_at),
        "submittedAt": wire.ts(job.submitted_at),
        "startedAt": wire.ts(job.started_at),
        "endedAt": wire.ts(job.ended_at),
        "regions": job.regions,
        "state": job.state,
        "dataSource": job.data_source,
        "dataDestination": job.data_destination,
        "params": job.params,
        "duration": job.duration(),
        "deletedAt": wire.ts(job.deleted_at),
        "createdAt": wire.ts(job.created_at),
        "paymentAmount": None if job.payment_amount is None else str(job.payment_amount),
        "numUnitsEstimation": None if job.num_units is None else str(job.num_units),
        "numChunks": None if job.num_chunks is None else str(job.num_chunks),
        "errorMessage": job.error_message,
        "stateTimestamps": {k: wire.ts(v) for k, v in job.state_timestamps.items()},
        "appId": job.template.app,
        "labels": dict(job.labels),
    }


# --------------------------------------------------------------------------------------------
# Request bodies
# --------------------------------------------------------------------------------------------


def parse_config(value: Any, field_name: str = "config") -> dict[str, Any]:
    obj = wire.parse_object(value, field_name) or {}
    out: dict[str, Any] = {}
    for key in ("taskTimeout", "jobTimeout"):
        if key in obj:
            out[key] = wire.parse_int64(obj[key], f"{field_name}.{key}", minimum=0)
    if "isTestJob" in obj:
        out["isTestJob"] = wire.parse_bool(obj["isTestJob"], f"{field_name}.isTestJob")
    return out


def run_config(body: dict[str, Any]) -> dict[str, Any]:
    """Run bodies: flat ``{taskTimeout, jobTimeout, isTestJob}``, ``{config:{...}}``, ``{}`` or none."""
    if "config" in body and body["config"] is not None:
        return parse_config(body["config"])
    return parse_config(
        {k: body[k] for k in ("taskTimeout", "jobTimeout", "isTestJob") if k in body}, "body"
    )


def parse_data_source(value: Any, field_name: str, *, direction: str) -> dict[str, Any] | None:
    obj = wire.parse_object(value, field_name)
    if obj is None:
        return None
    desc = obj.get("dataSourceDescriptor")
    if desc not in wire.DATA_SOURCE_DESCRIPTORS:
        raise wire.invalid(
            f"{field_name}.dataSourceDescriptor: expected one of {', '.join(wire.DATA_SOURCE_DESCRIPTORS)}, got {desc!r}"
        )
    if direction == "source" and desc in wire.OUTPUT_ONLY:
        raise wire.invalid(f"{field_name}: {desc!r} can only be a data destination")
    if direction == "destination" and desc in wire.INPUT_ONLY:
        raise wire.invalid(f"{field_name}: {desc!r} can only be a data source")
    params = wire.parse_object(obj.get("params"), f"{field_name}.params")
    if desc == "url":
        url = (params or {}).get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise wire.invalid(
                f"{field_name}.params.url: an http(s) URL is required for a 'url' data source"
            )
    if desc in ("s3", "aws", "gcp", "storj"):
        bucket = (params or {}).get("bucketName")
        if not isinstance(bucket, str) or not bucket:
            raise wire.invalid(
                f"{field_name}.params.bucketName: required for a {desc!r} data source"
            )
        for key in ("cloudRegion", "name", "secret_id"):
            if key in (params or {}) and not isinstance((params or {})[key], str):
                raise wire.invalid(f"{field_name}.params.{key}: expected a string")
    return {"dataSourceDescriptor": desc, "params": params}


def parse_params(value: Any, field_name: str = "params") -> dict[str, Any] | None:
    obj = wire.parse_object(value, field_name)
    if obj is None:
        return None
    out: dict[str, Any] = {}
    if "preset" in obj:
        out["preset"] = wire.parse_str(obj["preset"], f"{field_name}.preset")
    for part in ("partitioner", "app", "assembler"):
        if part in obj:
            out[part] = wire.parse_object(obj[part], f"{field_name}.{part}")
    app = out.get("app") or {}
    if "metadata" in app:
        wire.parse_metadata(app["metadata"], f"{field_name}.app.metadata")
    return out


def results_link(base_url: str, job: Job, name: str, secret: bytes) -> str:
    assert job.ended_at is not None
    expires = int((job.ended_at + timedelta(hours=48)).timestamp())
    return f"{base_url}/files/{job.id}/{name}?expires={expires}&sig={sign(secret, job.id, name, expires)}"


def poster_name(rendition: str) -> str:
    """The poster frame's result name beside a rendition: ``out_2/<slug>_poster.png``."""
    stem = rendition.split("/", 1)[-1].rsplit("_", 1)[0]
    return f"out_2/{stem}_poster.png"


def poster_png(job_id: str) -> bytes:
    """A real 16x9 PNG, one colour drawn from the job id (deterministic)."""
    import struct
    import zlib

    w, h = 16, 9
    rgb = hashlib.blake2b(job_id.encode(), digest_size=3).digest()
    raw = b"".join(b"\x00" + rgb * w for _ in range(h))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def result_file(job_id: str, name: str) -> bytes:
    """What a result link serves: a real ZIP archive for ``.zip`` (as ByteNite's ``zipper``
    assembler writes), a JSON document for ``.json``; video renditions are a short text
    placeholder (no playable media is modelled). Deterministic, so a re-download is identical."""
    note = f"ByteNite emulator result {job_id}/{name}\n"
    if name.endswith(".zip"):
        import io
        import zipfile

        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            # fixed timestamps: the same bytes on every download
            zf.writestr(zipfile.ZipInfo("output_0.txt", (2025, 1, 1, 0, 0, 0)), note)
            zf.writestr(
                zipfile.ZipInfo("manifest.json", (2025, 1, 1, 0, 0, 0)),
                json.dumps({"jobId": job_id, "files": ["output_0.txt"]}),
            )
        return buf.getvalue()
    if name.endswith(".json"):
        return json.dumps({"jobId": job_id, "name": name, "text": note.strip()}).encode()
    if name.endswith(".png"):
        return poster_png(job_id)
    return f"ByteNite emulator placeholder for {job_id}/{name}\n".encode()


def sign(secret: bytes, job_id: str, name: str, expires: int) -> str:
    import hmac

    return hmac.new(secret, f"{job_id}/{name}:{expires}".encode(), hashlib.sha256).hexdigest()[:32]


def synthetic_logs(job: Job) -> dict[str, Any]:
    """Log lines for what a job has done so far (partitioner, one task per chunk, assembler)."""

    def line(text: str, at: datetime | None, level: str, container: str) -> dict[str, Any]:
        return {
            "log": text,
            "timestamp": wire.ts(at or datetime.now(UTC)),
            "level": level,
            "container": container,
        }

    st = job.state_timestamps
    part: list[dict[str, Any]] = []
    asm: list[dict[str, Any]] = []
    tasks: dict[str, dict[str, Any]] = {}
    if wire.PARTITIONING in st:
        part.append(
            line(
                f"partitioner {job.template.partitioner} started",
                st[wire.PARTITIONING],
                "INFO",
                "partitioner",
            )
        )
        part.append(
            line(f"created {job.num_chunks} chunks", st[wire.PARTITIONING], "INFO", "partitioner")
        )
    if wire.RUNNING in st:
        for n in range(job.num_chunks or 1):
            logs = [
                line(f"task {n} running {job.template.app}", st[wire.RUNNING], "INFO", "taskrunner")
            ]
            if (
                job.state == wire.FAILED
                and n == 0
                and job.error_message
                and "task" in job.error_message
            ):
                logs.append(line(job.error_message, job.ended_at, "ERROR", "taskrunner"))
            elif wire.ASSEMBLING in st or job.state == wire.COMPLETE:
                logs.append(
                    line(
                        f"task {n} completed",
                        st.get(wire.ASSEMBLING, st[wire.RUNNING]),
                        "INFO",
                        "taskrunner",
                    )
                )
            tasks[f"{job.id}-task-{n}"] = {"logs": logs}
    if wire.ASSEMBLING in st:
        asm.append(
            line(
                f"assembler {job.template.assembler} started",
                st[wire.ASSEMBLING],
                "INFO",
                "assembler",
            )
        )
    if job.state == wire.COMPLETE:
        asm.append(
            line(f"wrote {len(job.result_names())} output files", job.ended_at, "INFO", "assembler")
        )
    if job.state == wire.FAILED and job.error_message == "job timeout exceeded":
        asm.append(line("job timeout exceeded", job.ended_at, "ERROR", "assembler"))
    return {"partitioner": part, "assembler": asm, "taskrunner": tasks}
