"""ByteNite's vocabulary: its enums, the prefixes they carry on the wire, and its record contracts.

ByteNite's enums travel prefixed (``PUBLISHING_STATUS_PUBLISHED``, ``PLACEMENT_CHANNEL_YOUTUBE``,
``DELIVERABLE_TYPE_TRAILER``); the lake keeps them as sent, staging strips the prefix, and the
business rules name channels and deliverable types without it. Each list is declared here once:
extraction checks records against it, the business rules are validated against it (through
:mod:`titlevideo.config`), and the warehouse's reference tables and quality suites read it.
"""

from __future__ import annotations

from collections.abc import Iterable

from titlevideo.contract import F

# ---- enums (without their wire prefix) ------------------------------------------------------

#: Video deliverables the project knows (the extension's ``DeliverableType``).
DELIVERABLE_TYPES = (
    "TRAILER",
    "AUTHOR_INTERVIEW",
    "TEASER",
    "SOCIAL_CUTDOWN",
    "AUDIOBOOK_SAMPLE",
    "NARRATED_EXCERPT",
    "EVENT_RECORDING",
    "BEHIND_THE_SCENES",
)
#: Deliverables made from an audio product (their rights follow the audio product's).
AUDIO_DELIVERABLES = ("AUDIOBOOK_SAMPLE", "NARRATED_EXCERPT")
#: Placement channels the business rules may place deliverables on.
CHANNELS = (
    "WEBSITE",
    "RETAILER",
    "CAMPAIGN_LANDING",
    "YOUTUBE",
    "TIKTOK",
    "INSTAGRAM",
    "FACEBOOK",
    "X",
)
#: Placement channels ByteNite may report that the business rules do not (yet) use: the
#: reference's draft of the extension lists them; they are accepted, never written.
BYTENITE_ONLY_CHANNELS = ("WEB", "CTV", "OTHER")
#: An asset's publishing status.
PUBLISHING_STATUSES = ("DRAFT", "READY", "PUBLISHED", "UNPUBLISHED", "FAILED")
#: A placement's state.
PLACEMENT_STATES = ("PENDING", "ENABLED", "DISABLED", "ERROR")

# ---- wire prefixes ----------------------------------------------------------------------------

DELIVERABLE_TYPE = "DELIVERABLE_TYPE_"
PLACEMENT_CHANNEL = "PLACEMENT_CHANNEL_"
PUBLISHING_STATUS = "PUBLISHING_STATUS_"
PLACEMENT_STATE = "PLACEMENT_STATE_"


def on_wire(prefix: str, values: Iterable[str]) -> frozenset[str]:
    """``values`` as ByteNite sends them: ``on_wire(PUBLISHING_STATUS, ["READY"])``."""
    return frozenset(prefix + v for v in values)


#: The enums as ByteNite sends them (what extraction accepts).
WIRE_DELIVERABLE_TYPES = on_wire(DELIVERABLE_TYPE, DELIVERABLE_TYPES)
WIRE_CHANNELS = on_wire(PLACEMENT_CHANNEL, (*CHANNELS, *BYTENITE_ONLY_CHANNELS))
WIRE_PUBLISHING_STATUSES = on_wire(PUBLISHING_STATUS, PUBLISHING_STATUSES)
WIRE_PLACEMENT_STATES = on_wire(PLACEMENT_STATE, PLACEMENT_STATES)

#: Values the pipeline compares with (wire form).
PUBLISHED = PUBLISHING_STATUS + "PUBLISHED"
PLACEMENT_ENABLED = PLACEMENT_STATE + "ENABLED"
#: A job created but never run.
JOB_NEW = "JOB_STATE_NEW"
#: The ``@type`` of a job's data source that reads a master from a URL.
HTTP_DATA_SOURCE = "type.googleapis.com/bytenite.data_source.HttpDataSource"

# ---- record contracts (what the API sends; see titlevideo.contract) ----------------------------

JOB_CONTRACT = (
    F("id", "str", nullable=False),
    F("name", "str"),
    F("templateId", "str"),
    F("state", "str"),
    F("labels", "dict", required=False),
    F("createdAt", "str"),
    F("submittedAt", "str", required=False),
    F("startedAt", "str", required=False),
    F("endedAt", "str", required=False),
    F("errorMessage", "str", required=False),
    # documented job fields the pipeline does not keep (listed so they are not reported as drift)
    F("description", "str", required=False),
    F("config", "dict", required=False),
    F("priority", "str", required=False),
    F("startAt", "str", required=False),
    F("regions", "dict", required=False),
    F("dataSource", "dict", required=False),
    F("dataDestination", "dict", required=False),
    F("params", "dict", required=False),
    F("duration", "number", required=False),
    F("deletedAt", "str", required=False),
    F("paymentAmount", "int64", required=False),
    F("numUnitsEstimation", "int64", required=False),
    F("numChunks", "int64", required=False),
    F("stateTimestamps", "dict", required=False),
    F("appId", "str", required=False),
    F("templateInfo", "dict", required=False),
)
ASSET_CONTRACT = (
    F("id", "str", nullable=False),
    F("jobId", "str"),
    F("resultName", "str", required=False),
    F("title", "str"),
    F("deliverableType", "str"),
    F("labels", "dict"),
    F("metadata", "dict"),
    F("assetUrl", "str"),
    F("thumbnailUrl", "str"),
    F("durationSeconds", "number"),
    F("format", "str"),
    F("width", "int"),
    F("height", "int"),
    F("videoCodec", "str"),
    F("audioCodec", "str"),
    F("bitrateKbps", "int"),
    F("sizeBytes", "int64"),
    F("publishingStatus", "str", nullable=False),
    F("statusTimestamps", "dict", required=False),
    F("createdAt", "str"),
    F("updatedAt", "str"),
    F("publishedAt", "str", required=False),
    F("expiresAt", "str", required=False),
    F("description", "str", required=False),
)
PLACEMENT_CONTRACT = (
    F("id", "str", nullable=False),
    F("assetId", "str", nullable=False),
    F("channel", "str", nullable=False),
    F("regions", "dict"),
    F("state", "str", nullable=False),
    F("errorMessage", "str", required=False),
    F("enabledAt", "str", required=False),
    F("disabledAt", "str", required=False),
    F("stateTimestamps", "dict", required=False),
    F("createdAt", "str"),
    F("updatedAt", "str"),
)
METRIC_CONTRACT = (
    F("date", "str", nullable=False),
    F("assetId", "str", nullable=False),
    F("channel", "str", nullable=False),
    F("country", "str", nullable=False),
    F("views", "int64"),
    F("uniqueViewers", "int64"),
    F("watchTimeSeconds", "int64"),
    F("avgViewDurationSeconds", "number"),
    F("completionRate", "number"),
    F("likes", "int64"),
    F("comments", "int64"),
    F("shares", "int64"),
    F("engagementRate", "number"),
)
