"""Raw lake schemas: one declared pyarrow schema per entity (the contract with the warehouse).

Every raw record carries ``_extracted_at`` (UTC wall time of extraction); staging keeps the latest
version per id by it. Codes are stored as the APIs define them, minus GraphQL's enum underscore
(ONIX ``04``, ``BB``, ``30``); ByteNite enums are stored as served (``PLACEMENT_CHANNEL_YOUTUBE``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

TS = pa.timestamp("us", tz="UTC")
EXTRACTED_AT = pa.field("_extracted_at", TS, nullable=False)


@dataclass(frozen=True)
class Entity:
    source: str  # consonance | bytenite
    name: str
    partition_key: str  # extracted_on | snapshot_on | metric_date
    key: tuple[str, ...]  # primary key within one extraction
    schema: pa.Schema


def _s(*fields: pa.Field) -> pa.Schema:
    return pa.schema([*fields, EXTRACTED_AT])


CONTRIBUTION = pa.struct(
    [
        ("contribution_id", pa.int64()),
        ("contact_id", pa.int64()),
        ("person_name", pa.string()),
        ("role_code", pa.string()),  # ONIX list 17, e.g. A01
        ("sequence_number", pa.int32()),
        ("product_ids", pa.list_(pa.int64())),
    ]
)
SUBJECT = pa.struct(
    [
        ("scheme", pa.string()),  # BISAC | THEMA | BIC
        ("code", pa.string()),
        ("description", pa.string()),
        ("main", pa.bool_()),
        ("parent_code", pa.string()),
    ]
)
PRICE = pa.struct(
    [
        ("price_id", pa.int64()),
        ("currency_code", pa.string()),
        ("price_type_code", pa.string()),  # ONIX list 58
        ("price_qualifier_code", pa.string()),  # ONIX list 59
        ("amount", pa.float64()),
    ]
)
SUPPORTING_RESOURCE = pa.struct(
    [
        ("supporting_resource_id", pa.int64()),
        ("resource_variant", pa.string()),  # FRONT_COVER, BACK_COVER, AUTHOR_PHOTO, ...
        ("url", pa.string()),  # null while Consonance is still processing the file
        ("filename", pa.string()),
        ("image_content_type", pa.string()),  # e.g. image/jpeg
        ("status", pa.string()),  # DRAFT | FOR_APPROVAL | APPROVED | ARCHIVED
        ("is_processing", pa.bool_()),
        ("product_ids", pa.list_(pa.int64())),
    ]
)

CONSONANCE_WORKS = Entity(
    "consonance",
    "works",
    "extracted_on",
    ("work_id",),
    _s(
        pa.field("work_id", pa.int64(), nullable=False),
        pa.field("title", pa.string()),
        pa.field("subtitle", pa.string()),
        pa.field("imprint_id", pa.int64()),
        pa.field("imprint_name", pa.string()),
        pa.field("season_name", pa.string()),
        pa.field("project_stage_name", pa.string()),
        pa.field("marketing_tier_name", pa.string()),
        pa.field("authorship_description", pa.string()),
        pa.field("contributions", pa.list_(CONTRIBUTION)),
        pa.field("subjects", pa.list_(SUBJECT)),
        pa.field("supporting_resources", pa.list_(SUPPORTING_RESOURCE)),  # covers and images
    ),
)
CONSONANCE_PRODUCTS = Entity(
    "consonance",
    "products",
    "extracted_on",
    ("product_id",),
    _s(
        pa.field("product_id", pa.int64(), nullable=False),
        pa.field("work_id", pa.int64(), nullable=False),
        pa.field("product_type", pa.string()),  # GraphQL typename, e.g. ElectronicAudioProduct
        pa.field("isbn13", pa.string()),
        pa.field("full_title", pa.string()),
        pa.field("subtitle", pa.string()),
        pa.field("product_form_code", pa.string()),  # ONIX 2.1 list 7, e.g. BB
        pa.field("publishing_status_code", pa.string()),  # ONIX list 64, e.g. 04
        pa.field("publication_date", pa.date32()),
        pa.field("planned_publication_date", pa.date32()),
        pa.field("sales_embargo_date", pa.date32()),  # no retail sale before it (ONIX 163: 02)
        pa.field("out_of_print_date", pa.date32()),  # out of print / withdrawn (ONIX 163: 13)
        pa.field("for_sale_country_codes", pa.list_(pa.string())),
        pa.field("not_for_sale_country_codes", pa.list_(pa.string())),
        pa.field("is_for_sale_worldwide", pa.bool_()),
        pa.field("sales_rights_description", pa.string()),
        pa.field("prices", pa.list_(PRICE)),
    ),
)
CONSONANCE_MARKETING_TEXTS = Entity(
    "consonance",
    "marketing_texts",
    "extracted_on",
    ("marketing_text_id",),
    _s(
        pa.field("marketing_text_id", pa.int64(), nullable=False),
        pa.field("work_id", pa.int64(), nullable=False),
        pa.field("product_ids", pa.list_(pa.int64())),
        pa.field("variant", pa.string()),
        pa.field("external_text", pa.string()),
        pa.field("internal_text_markdown", pa.string()),
    ),
)
CONSONANCE_WEB_LINKS = Entity(
    "consonance",
    "web_links",
    "extracted_on",
    ("web_link_id",),
    _s(
        pa.field("web_link_id", pa.int64(), nullable=False),
        pa.field("work_id", pa.int64(), nullable=False),
        pa.field("product_id", pa.int64(), nullable=False),
        pa.field("link", pa.string()),
        pa.field("role_code", pa.string()),  # ONIX list 73
        pa.field("description", pa.string()),
        pa.field("include_in_onix", pa.bool_()),
    ),
)

_LABELS = (
    pa.field("label_consonance_work_id", pa.string()),
    pa.field("label_isbn13", pa.string()),
    pa.field("label_deliverable_type", pa.string()),
    pa.field("label_audio_product_isbn13", pa.string()),
    pa.field("labels_json", pa.string()),  # every label, canonical JSON
)

BYTENITE_JOBS = Entity(
    "bytenite",
    "jobs",
    "snapshot_on",
    ("job_id",),
    _s(
        pa.field("job_id", pa.string(), nullable=False),
        pa.field("name", pa.string()),
        pa.field("template_id", pa.string()),
        pa.field("state", pa.string()),
        *_LABELS,
        pa.field("created_at", TS),
        pa.field("submitted_at", TS),
        pa.field("started_at", TS),
        pa.field("ended_at", TS),
        pa.field("error_message", pa.string()),
    ),
)
BYTENITE_ASSETS = Entity(
    "bytenite",
    "assets",
    "snapshot_on",
    ("asset_id",),
    _s(
        pa.field("asset_id", pa.string(), nullable=False),
        pa.field("job_id", pa.string()),
        pa.field("title", pa.string()),
        pa.field("deliverable_type", pa.string()),
        *_LABELS,
        pa.field("metadata_json", pa.string()),  # canonical JSON of the asset metadata, or null
        pa.field("asset_url", pa.string()),
        pa.field("thumbnail_url", pa.string()),
        pa.field("duration_seconds", pa.float64()),
        pa.field("format", pa.string()),
        pa.field("width", pa.int32()),
        pa.field("height", pa.int32()),
        pa.field("video_codec", pa.string()),
        pa.field("audio_codec", pa.string()),
        pa.field("bitrate_kbps", pa.int32()),
        pa.field("size_bytes", pa.int64()),
        pa.field("publishing_status", pa.string()),
        pa.field("created_at", TS),
        pa.field("updated_at", TS),
        pa.field("published_at", TS),
    ),
)
BYTENITE_PLACEMENTS = Entity(
    "bytenite",
    "placements",
    "snapshot_on",
    ("placement_id",),
    _s(
        pa.field("placement_id", pa.string(), nullable=False),
        pa.field("asset_id", pa.string(), nullable=False),
        pa.field("channel", pa.string()),
        pa.field("regions_whitelist", pa.list_(pa.string())),
        pa.field("regions_blacklist", pa.list_(pa.string())),
        pa.field("state", pa.string()),
        pa.field("error_message", pa.string()),
        pa.field("enabled_at", TS),
        pa.field("disabled_at", TS),
        pa.field("created_at", TS),
        pa.field("updated_at", TS),
    ),
)
BYTENITE_DAILY_METRICS = Entity(
    "bytenite",
    "daily_metrics",
    "metric_date",
    ("metric_date", "asset_id", "channel", "country"),
    _s(
        pa.field("metric_date", pa.date32(), nullable=False),
        pa.field("asset_id", pa.string(), nullable=False),
        pa.field("channel", pa.string(), nullable=False),
        pa.field("country", pa.string(), nullable=False),
        pa.field("views", pa.int64()),
        pa.field("unique_viewers", pa.int64()),
        pa.field("watch_time_seconds", pa.int64()),
        pa.field("avg_view_duration_seconds", pa.float64()),
        pa.field("completion_rate", pa.float64()),
        pa.field("likes", pa.int64()),
        pa.field("comments", pa.int64()),
        pa.field("shares", pa.int64()),
        pa.field("engagement_rate", pa.float64()),
    ),
)

ENTITIES: dict[tuple[str, str], Entity] = {
    (e.source, e.name): e
    for e in (
        CONSONANCE_WORKS,
        CONSONANCE_PRODUCTS,
        CONSONANCE_MARKETING_TEXTS,
        CONSONANCE_WEB_LINKS,
        BYTENITE_JOBS,
        BYTENITE_ASSETS,
        BYTENITE_PLACEMENTS,
        BYTENITE_DAILY_METRICS,
    )
}
