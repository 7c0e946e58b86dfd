"""Which Consonance extraction an ``auto`` run makes: the whole catalogue until the lake holds a
full extraction with every field this release extracts (after an upgrade that added fields, the
old full extraction does not count)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from titlevideo import lake as lakemod
from titlevideo.config import Lake
from titlevideo.extract.consonance import choose_mode, missing_fields
from titlevideo.schemas import ENTITIES

pytestmark = pytest.mark.unit

FULL_DAY, DAY = date(2026, 11, 26), date(2026, 11, 27)
NAMES = ("works", "products", "marketing_texts", "web_links")


@pytest.fixture(autouse=True)
def unchecked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lakemod, "_CHECKED", set())


def _partition(root: Path, mode: str, without: dict[str, str] | None = None) -> None:
    """Day FULL_DAY's four Consonance partitions (empty, in this release's schemas but the fields
    ``without`` names per entity) and its manifest with ``mode``."""
    for name in NAMES:
        schema = ENTITIES[("consonance", name)].schema
        if without and name in without:
            schema = schema.remove(schema.get_field_index(without[name]))
        d = root / f"raw/consonance/{name}/extracted_on={FULL_DAY.isoformat()}"
        d.mkdir(parents=True)
        pq.write_table(pa.Table.from_pylist([], schema=schema), d / "data.parquet")
        if name == "works":
            manifest = {"date": FULL_DAY.isoformat(), "mode": mode, "lake_format": 2}
            (d / "_manifest.json").write_text(json.dumps(manifest))


def test_the_first_run_pulls_the_whole_catalogue(tmp_path: Path) -> None:
    assert choose_mode(Lake(tmp_path), DAY, "auto") == "full"


def test_after_a_full_extraction_with_every_field_a_run_is_daily(tmp_path: Path) -> None:
    _partition(tmp_path, "full")
    assert missing_fields(Lake(tmp_path), FULL_DAY) == []
    assert choose_mode(Lake(tmp_path), DAY, "auto") == "daily"


def test_a_daily_extraction_does_not_count_as_full(tmp_path: Path) -> None:
    _partition(tmp_path, "daily")
    assert choose_mode(Lake(tmp_path), DAY, "auto") == "full"


@pytest.mark.parametrize(
    "without",
    [
        {"works": "supporting_resources"},
        {"products": "out_of_print_date"},
        {"web_links": "include_in_onix"},
    ],
)
def test_a_full_extraction_lacking_a_field_of_this_release_is_done_again(
    tmp_path: Path, without: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    """An older release's full extraction (an upgrade added the field): the next run is full."""
    _partition(tmp_path, "full", without)
    (name, field_name), *_ = without.items()
    assert missing_fields(Lake(tmp_path), FULL_DAY) == [f"{name}.{field_name}"]
    assert choose_mode(Lake(tmp_path), DAY, "auto") == "full"
    assert f"{name}.{field_name}" in caplog.text


def test_a_mode_asked_for_is_kept(tmp_path: Path) -> None:
    _partition(tmp_path, "full", {"works": "supporting_resources"})
    assert choose_mode(Lake(tmp_path), DAY, "daily") == "daily"
