"""The lake's format version: a new lake is marked, an older one migrated, a newer one refused."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from titlevideo import lake as lakemod
from titlevideo.config import ConfigError, Lake
from titlevideo.extract.common import read_manifest
from titlevideo.schemas import ENTITIES

pytestmark = pytest.mark.unit

WORKS = ENTITIES[("consonance", "works")]
DAY = date(2026, 11, 26)


@pytest.fixture(autouse=True)
def unchecked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test sees its lake for the first time in this process."""
    monkeypatch.setattr(lakemod, "_CHECKED", set())


def _old_lake(root: Path) -> Path:
    """A lake as release 0.1.0 left it: a partition and its unstamped manifest, no marker."""
    d = root / "raw/consonance/works/extracted_on=2026-11-26"
    d.mkdir(parents=True)
    (d / "data.parquet").write_bytes(b"not read here")
    (d / "_manifest.json").write_text(json.dumps({"date": "2026-11-26", "mode": "full"}))
    return d / "_manifest.json"


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_a_new_lake_is_marked_with_the_current_format(tmp_path: Path) -> None:
    assert lakemod.ensure_lake_format(Lake(tmp_path / "lake")) == 2
    marker = json.loads((tmp_path / "lake" / "lake.json").read_text())
    assert marker["format"] == 2 and marker["history"] == []
    assert marker["release"] == lakemod.release()


def test_a_lake_of_release_0_1_0_is_migrated_once(tmp_path: Path) -> None:
    manifest = _old_lake(tmp_path)
    lakemod.ensure_lake_format(Lake(tmp_path))
    assert json.loads(manifest.read_text()) == {
        "date": "2026-11-26",
        "mode": "full",
        "lake_format": 2,
    }
    marker = json.loads((tmp_path / "lake.json").read_text())
    assert marker["format"] == 2
    assert [(h["from"], h["to"], h["files"]) for h in marker["history"]] == [(1, 2, 1)]
    # again, in another process: nothing to do, nothing rewritten
    before = _files(tmp_path)
    lakemod._CHECKED.clear()
    lakemod.ensure_lake_format(Lake(tmp_path))
    assert _files(tmp_path) == before


def test_a_migration_killed_before_its_marker_is_done_again(tmp_path: Path) -> None:
    manifest = _old_lake(tmp_path)
    lakemod._stamp_manifests(Lake(tmp_path))  # the step ran; the marker was never written
    lakemod.ensure_lake_format(Lake(tmp_path))
    assert json.loads(manifest.read_text())["lake_format"] == 2
    assert json.loads((tmp_path / "lake.json").read_text())["format"] == 2


def test_a_newer_lake_is_refused_and_left_as_it_is(tmp_path: Path) -> None:
    _old_lake(tmp_path)
    (tmp_path / "lake.json").write_text(json.dumps({"format": 3, "release": "0.3.0"}))
    before = _files(tmp_path)
    with pytest.raises(ConfigError) as refused:
        lakemod.ensure_lake_format(Lake(tmp_path))
    text = str(refused.value)
    assert f"The lake at {tmp_path} is in format 3 (written by release 0.3.0)" in text
    assert "knows formats up to 2" in text and "Downgrading is not supported" in text
    assert "run release 0.3.0 or newer" in text
    with pytest.raises(ConfigError):
        read_manifest(Lake(tmp_path), WORKS, DAY)
    assert _files(tmp_path) == before


def test_a_manifest_newer_than_this_release_is_refused(tmp_path: Path) -> None:
    lakemod.ensure_lake_format(Lake(tmp_path))
    d = tmp_path / "raw/consonance/works/extracted_on=2026-11-26"
    d.mkdir(parents=True)
    (d / "_manifest.json").write_text(json.dumps({"mode": "full", "lake_format": 3}))
    with pytest.raises(ConfigError, match="_manifest.json is in format 3"):
        read_manifest(Lake(tmp_path), WORKS, DAY)


def test_a_broken_marker_is_a_clear_error(tmp_path: Path) -> None:
    tmp_path.joinpath("lake.json").write_text("{not json")
    with pytest.raises(ConfigError, match="lake.json is not valid JSON"):
        lakemod.ensure_lake_format(Lake(tmp_path))
