"""GX suites on raw batches: a clean day passes, a bad one fails with the reasons, docs written."""

from __future__ import annotations

import json
from datetime import date

import pytest

from tests.fixtures.lake.lakebuilder import LakeBuilder, metric, product, ts, work
from tests.fixtures.lake.reflake import D1, write_reference_lake
from titlevideo.quality import QualityError, validate_raw

pytestmark = pytest.mark.unit


def test_the_reference_day_passes_every_raw_suite(tmp_path):
    ref = write_reference_lake(tmp_path)
    summary = validate_raw(ref.builder.lake, D1)
    assert summary["suites_failed"] == 0
    assert sorted(summary["suites"]) == sorted(
        [
            "raw.consonance.works.extracted_on=2026-03-01",
            "raw.consonance.products.extracted_on=2026-03-01",
            "raw.consonance.marketing_texts.extracted_on=2026-03-01",
            "raw.consonance.web_links.extracted_on=2026-03-01",
            "raw.bytenite.jobs.snapshot_on=2026-03-01",
            "raw.bytenite.assets.snapshot_on=2026-03-01",
            "raw.bytenite.placements.snapshot_on=2026-03-01",
            "raw.bytenite.daily_metrics.metric_date=2026-03-01",
        ]
    )
    assert summary["no_partition"] == []
    assert (ref.builder.lake.reports / "data_docs" / "raw" / "index.html").exists()


def test_a_bad_batch_fails_with_its_reasons(tmp_path):
    day = date(2026, 3, 9)
    b = LakeBuilder(tmp_path)
    b.consonance(
        day,
        ts("2026-03-09T06:00"),
        works=[
            work(1, "A", marketing_tier_name="Lead"),
            work(1, "A again", marketing_tier_name="Platinum"),
        ],
        products=[product(10, 1, "123", "BB", "99")],
    )
    b.metrics(
        day,
        ts("2026-03-09T23:00"),
        [
            metric("X", "YOUTUBE", "GB", 10, completion_rate=1.2),
            metric("X", "YOUTUBE", "GB", 10),  # the same key twice
            metric("Y", "YOUTUBE", "gb", 5, unique_viewers=6),
        ],
    )
    with pytest.raises(QualityError) as failure:
        validate_raw(b.lake, day)
    text = str(failure.value)
    assert "raw.consonance.works" in text and "expect_column_values_to_be_unique" in text
    assert "expect_column_values_to_be_in_set" in text  # tier Platinum
    assert (
        "raw.consonance.products" in text and "expect_column_values_to_match_regex" in text
    )  # ISBN 123
    for problem in (
        "metric_date__asset_id__channel__country__duplicates",
        "completion_rate__max",
        "unique_viewers__gt__views",
        "country__not_matching",
    ):
        assert problem in text, problem
    summary = json.loads((b.lake.reports / "data_docs" / "raw" / "summary.json").read_text())
    failed = {s["suite"].split(".")[2] for s in summary["suites"] if not s["success"]}
    assert failed == {"works", "products", "daily_metrics"}
    passed = {s["suite"].split(".")[2] for s in summary["suites"] if s["success"]}
    assert passed == {"marketing_texts", "web_links"}  # empty batches of that day
