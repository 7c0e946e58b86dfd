"""The imprint/season export (issue 18, flow 7): a CSV per imprint per season under
reports/imprints/, with an index whose totals are the sums of the titles'. The marts table is
made here with known rows; expected files and totals are worked out from those rows."""

from __future__ import annotations

import csv
from datetime import date

import duckdb
import pytest

from titlevideo.config import Lake
from titlevideo.report.imprints import write_imprint_exports

pytestmark = pytest.mark.unit

COLUMNS = (
    "work_id bigint, title varchar, imprint_name varchar, season_name varchar, tier varchar, "
    "title_status varchar, first_publication_date date, n_assets bigint, n_published_assets bigint, "
    "views bigint, watch_time_seconds bigint, completed_views bigint, completion_rate double, "
    "engagements bigint, engagement_rate double, first_metric_date date, last_metric_date date"
)
D = date(2026, 3, 1)
# work, title, imprint, season, n_assets, views, watch, completed, engagements
TITLES = [
    (1, "Salt Harbour", "Harbour Press", "Spring 2026", 2, 1000, 5000, 400, 50),
    (2, "Low Tide", "Harbour Press", "Spring 2026", 1, 300, 900, 30, 3),
    (3, "The Fox Who", "Orchard Children's", "Spring 2026", 0, 0, 0, 0, 0),
    (4, "Night Ferry", "Harbour Press", "Autumn 2026", 1, 20, 60, 10, 1),
    (5, "Untimed", None, None, 1, 7, 14, 7, 0),
]


def make_warehouse(path, titles) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(f"create table marts.mart_title_performance ({COLUMNS})")
        for w, t, imp, season, n, views, watch, done, eng in titles:
            con.execute(
                "insert into marts.mart_title_performance values "
                "(?, ?, ?, ?, 'Core', 'LIVE', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    w,
                    t,
                    imp,
                    season,
                    D,
                    n,
                    n,
                    views,
                    watch,
                    done,
                    done / views if views else None,
                    eng,
                    eng / views if views else None,
                    D if views else None,
                    D if views else None,
                ],
            )


def read(path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_a_csv_per_imprint_per_season_with_totals_from_its_titles(tmp_path):
    lake = Lake(tmp_path)
    lake.warehouse_dir.mkdir(parents=True)
    make_warehouse(lake.warehouse, TITLES)
    result = write_imprint_exports(lake)
    root = lake.reports / "imprints"
    assert result.path == root / "index.csv" and (result.files, result.titles) == (4, 5)

    expected_files = {
        ("Spring 2026", "Harbour Press"): "spring-2026/harbour-press.csv",
        ("Spring 2026", "Orchard Children's"): "spring-2026/orchard-childrens.csv",
        ("Autumn 2026", "Harbour Press"): "autumn-2026/harbour-press.csv",
        ("No season", "Unassigned"): "no-season/unassigned.csv",
    }
    index = {(r["season_name"], r["imprint_name"]): r for r in read(root / "index.csv")}
    assert {k: r["file"] for k, r in index.items()} == expected_files
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*.csv")) == sorted(
        [*expected_files.values(), "index.csv"]
    )
    for (season, imprint), rel in expected_files.items():
        mine = [
            t
            for t in TITLES
            if (t[3] or "No season") == season and (t[2] or "Unassigned") == imprint
        ]
        rows = read(root / rel)
        # one row per title, most viewed first
        assert [int(r["work_id"]) for r in rows] == [
            t[0] for t in sorted(mine, key=lambda t: -t[5])
        ]
        assert [r["title"] for r in rows] == [t[1] for t in sorted(mine, key=lambda t: -t[5])]
        views = sum(t[5] for t in mine)
        completed = sum(t[7] for t in mine)
        row = index[(season, imprint)]
        assert int(row["n_titles"]) == len(mine)
        assert int(row["n_titles_with_video"]) == sum(1 for t in mine if t[4] > 0)
        assert int(row["views"]) == views
        assert int(row["watch_time_seconds"]) == sum(t[6] for t in mine)
        if views:
            assert float(row["completion_rate"]) == pytest.approx(completed / views, abs=1e-6)
        else:
            assert row["completion_rate"] == ""  # no views: no rate, not zero


def test_a_rerun_replaces_the_export_and_a_gone_group_leaves_no_file(tmp_path):
    lake = Lake(tmp_path)
    lake.warehouse_dir.mkdir(parents=True)
    make_warehouse(lake.warehouse, TITLES)
    write_imprint_exports(lake)
    lake.warehouse.unlink()
    make_warehouse(lake.warehouse, [t for t in TITLES if t[3] != "Autumn 2026"])
    result = write_imprint_exports(lake)
    root = lake.reports / "imprints"
    assert result.files == 3
    assert not (root / "autumn-2026").exists()
    assert [p.name for p in lake.reports.iterdir()] == ["imprints"]  # no temp dir left behind


def test_no_warehouse_says_to_build_one(tmp_path):
    with pytest.raises(FileNotFoundError, match="run warehouse_build first"):
        write_imprint_exports(Lake(tmp_path))
