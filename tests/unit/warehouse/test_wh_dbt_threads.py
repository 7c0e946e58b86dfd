"""TITLEVIDEO_DBT_THREADS: dbt's thread count for the warehouse build, refused when not 1-64."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from titlevideo.warehouse.build import STORAGE_VERSION
from titlevideo.warehouse.dbt import THREADS_ENV, DbtProject, dbt_threads


def test_unset_or_blank_is_four(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(THREADS_ENV, raising=False)
    assert dbt_threads() == 4
    monkeypatch.setenv(THREADS_ENV, " ")
    assert dbt_threads() == 4


@pytest.mark.parametrize("value", ["1", "2", "64", " 8 "])
def test_a_count_from_1_to_64_is_used(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(THREADS_ENV, value)
    assert dbt_threads() == int(value.strip())


@pytest.mark.parametrize("value", ["0", "-2", "65", "two", "1.5"])
def test_anything_else_is_refused_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(THREADS_ENV, value)
    with pytest.raises(ValueError, match=f"{THREADS_ENV}={value!r}.*1 to 64"):
        dbt_threads()


def test_the_profile_dbt_reads_carries_the_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(THREADS_ENV, "3")
    profile = DbtProject(tmp_path / "project", tmp_path / "work", STORAGE_VERSION).write_profile()
    target = yaml.safe_load(profile.read_text())["titlevideo"]["outputs"]["build"]
    assert target["threads"] == 3
