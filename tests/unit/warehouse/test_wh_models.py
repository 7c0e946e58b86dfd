"""The models on the reference lake (see reflake.py), against numbers worked out in Python.

Every expectation here is computed from the fixture rows and the rules as written in the brief
(rights, matching, dedupe), never by reading the SQL.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import duckdb
import pytest

from tests.fixtures.lake.lakebuilder import warehouse_sql
from tests.fixtures.lake.reflake import (
    D1,
    D2,
    D3,
    EXPECTED_ASSET_RIGHTS,
    EXPECTED_MATCH,
    EXPECTED_WORK_RIGHTS,
    allowed,
    write_reference_lake,
)
from titlevideo.config import Rules
from titlevideo.warehouse.build import STORAGE_HEADER_NUMBER, build_warehouse, storage_header_number

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    ref = write_reference_lake(tmp_path_factory.mktemp("lake"))
    sql = warehouse_sql(tmp_path_factory.mktemp("sql"))
    result = build_warehouse(ref.builder.lake, day=D3, rules=Rules(), sql_root=sql)
    con = duckdb.connect(str(ref.builder.lake.warehouse), read_only=True)
    yield ref, result, con
    con.close()


def rows(con, sql, params=None):
    return con.execute(sql, params or []).fetchall()


# ---- staging --------------------------------------------------------------------------------


def test_latest_version_per_work_wins_including_an_older_date_backfill_run_later(built):
    _, _, con = built
    got = dict(rows(con, "select work_id, title from staging.stg_consonance__works"))
    assert got[1001] == "Salt Harbour"  # E2 (03-02) over E1 (03-01)
    tiers = dict(rows(con, "select work_id, tier from marts.dim_title"))
    assert tiers[1005] == "Key"  # E0: partition 02-27 but extracted 03-03 09:00, the latest
    status = dict(rows(con, "select product_id, publishing_status_code from marts.dim_product"))
    assert status[500] == "07"  # the product comes from its work's latest extraction (E0)


def test_children_come_from_their_works_latest_extraction_so_deletions_disappear(built):
    _, _, con = built
    products = rows(
        con,
        "select product_id from staging.stg_consonance__products where work_id = 1001 order by 1",
    )
    assert [p for (p,) in products] == [100, 101, 102]  # P103 was dropped in E2
    texts = rows(
        con,
        "select marketing_text_id, external_text from staging.stg_consonance__marketing_texts order by 1",
    )
    assert texts == [(7001, "<p>New copy</p>"), (7003, "<p>Tide</p>")]
    links = rows(con, "select web_link_id from staging.stg_consonance__web_links order by 1")
    assert [w for (w,) in links] == [8001, 8003]
    assert (
        rows(con, "select count(*) from staging.stg_consonance__products")[0][0]
        == 3 + 4 + 3 + 3 + 1
    )


def test_bytenite_current_state_is_the_latest_extracted_snapshot(built):
    _, _, con = built
    assets = dict(rows(con, "select asset_id, publishing_status from staging.stg_bytenite__assets"))
    # S0 (snapshot_on 03-01, extracted last) is current: A9 (S1 only) is gone, statuses are S0's
    assert set(assets) == {a for a in EXPECTED_MATCH if a != "A9"}
    assert assets["A1"] == "PUBLISHED" and assets["A7"] == "READY" and assets["A12"] == "DRAFT"
    placements = rows(con, "select placement_id from staging.stg_bytenite__placements order by 1")
    assert [p for (p,) in placements] == [f"PL{i}" for i in range(1, 10)]
    assert {
        s for (s,) in rows(con, "select distinct snapshot_on from staging.stg_bytenite__assets")
    } == {D1}


def test_bytenite_enum_prefixes_are_stripped(built):
    _, _, con = built
    assert rows(
        con,
        "select channel, state from staging.stg_bytenite__placements where placement_id = 'PL7'",
    ) == [("YOUTUBE", "DISABLED")]
    assert rows(
        con,
        "select deliverable_type, format from staging.stg_bytenite__assets where asset_id = 'A3'",
    ) == [("AUDIOBOOK_SAMPLE", "MP4")]
    assert {c for (c,) in rows(con, "select distinct channel from marts.fct_video_daily")} == {
        "YOUTUBE",
        "TIKTOK",
        "WEBSITE",
        "RETAILER",
    }
    assert {s for (s,) in rows(con, "select distinct state from staging.stg_bytenite__jobs")} == {
        "COMPLETE"
    }


# ---- rights -------------------------------------------------------------------------------


def product_allows(for_sale: list[str], not_for_sale: list[str], country: str) -> bool:
    return country not in not_for_sale and (not for_sale or country in for_sale)


def test_title_rights_and_status(built):
    _, _, con = built
    got = {
        r[0]: (r[1], r[2], r[3], r[4], r[5])
        for r in rows(
            con,
            "select work_id, title_status, rights_status, regions_whitelist, regions_blacklist, allows_anywhere from marts.dim_title",
        )
    }
    assert got == EXPECTED_WORK_RIGHTS


def test_title_rights_pair_agrees_with_the_product_rule_for_every_country(built):
    """Per country: the pair allows c exactly when some live product is for sale in c."""
    ref, _, con = built
    countries = ["GB", "US", "CA", "PH", "IE", "AU", "NZ", "DE", "FR", "JP"]
    products = rows(
        con,
        "select work_id, publishing_status_code, for_sale_country_codes, not_for_sale_country_codes from marts.dim_product",
    )
    for work_id in EXPECTED_WORK_RIGHTS:
        live = [
            (fs, nfs) for w, status, fs, nfs in products if w == work_id and status in ("02", "04")
        ]
        for c in countries:
            expected = any(product_allows(fs, nfs, c) for fs, nfs in live)
            got = rows(
                con,
                "select marts.allows_country(allows_anywhere, regions_whitelist, regions_blacklist, ?) "
                "from marts.dim_title where work_id = ?",
                [c, work_id],
            )[0][0]
            assert got == expected, (work_id, c)


def test_audio_product_rights(built):
    _, _, con = built
    got = dict(
        (r[0], (r[1], r[2], r[3]))
        for r in rows(
            con,
            "select product_id, rights_status, regions_whitelist, allows_anywhere from marts.dim_product",
        )
    )
    assert got[102] == ("TERRITORIES", ["AU", "GB", "IE"], True)  # AJ for sale GB, IE, AU
    assert got[203] == ("TERRITORIES", ["US"], True)  # forthcoming audio CD, US only
    assert got[402] == ("NONE", [], False)  # cancelled audio
    assert got[300] == ("TERRITORIES", ["AU", "GB", "IE"], True)  # NZ listed and excluded
    assert got[302] == ("NONE", [], False)  # out of print: not live


# ---- matching -----------------------------------------------------------------------------


def test_asset_title_matching(built):
    _, _, con = built
    got = {
        r[0]: tuple(r[1:])
        for r in rows(
            con,
            "select asset_id, work_id, product_id, match_method, unmatched_reason, rights_basis from marts.dim_video_asset",
        )
    }
    assert got == EXPECTED_MATCH


def test_effective_asset_rights(built):
    _, _, con = built
    got = {
        r[0]: (r[1], r[2], r[3])
        for r in rows(
            con,
            "select asset_id, regions_whitelist, regions_blacklist, allows_anywhere from marts.dim_video_asset",
        )
    }
    assert got == EXPECTED_ASSET_RIGHTS


# ---- facts and rollups ----------------------------------------------------------------------


def test_daily_facts_equal_the_raw_rows_with_their_title(built):
    ref, _, con = built
    expected = sorted(
        (
            r["metric_date"],
            r["asset_id"],
            r["channel"],
            r["country"],
            EXPECTED_MATCH[r["asset_id"]][0],
            r["views"],
        )
        for r in ref.metric_rows()
    )
    got = rows(
        con,
        "select metric_date, asset_id, channel, country, work_id, views from marts.fct_video_daily order by all",
    )
    assert got == expected
    by_day = defaultdict(int)
    for r in ref.metric_rows():
        by_day[r["metric_date"]] += r["views"]
    assert (
        dict(rows(con, "select metric_date, sum(views) from marts.fct_video_daily group by 1"))
        == by_day
    )


def _title_totals(ref):
    totals: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for r in ref.metric_rows():
        work = EXPECTED_MATCH[r["asset_id"]][0]
        if work is None:
            continue
        t = totals[work]
        t["views"] += r["views"]
        t["watch_time_seconds"] += r["watch_time_seconds"]
        t["completed_views"] += r["views"] * r["completion_rate"]
        t["engagements"] += r["likes"] + r["comments"] + r["shares"]
    return totals


def test_title_performance_totals(built):
    ref, _, con = built
    totals = _title_totals(ref)
    got = {
        r[0]: r[1:]
        for r in rows(
            con,
            "select work_id, views, watch_time_seconds, completed_views, engagements, completion_rate, n_assets "
            "from marts.mart_title_performance",
        )
    }
    assert set(got) == set(EXPECTED_WORK_RIGHTS)  # every title, with or without video
    n_assets = defaultdict(int)
    for work, *_ in EXPECTED_MATCH.values():
        if work is not None:
            n_assets[work] += 1
    for work in EXPECTED_WORK_RIGHTS:
        t = totals.get(work, {})
        views = t.get("views", 0)
        assert got[work][0] == views
        assert got[work][1] == t.get("watch_time_seconds", 0)
        # an exact DECIMAL in the marts (the sum of views x rate to 6 places)
        assert float(got[work][2]) == pytest.approx(t.get("completed_views", 0))
        assert got[work][3] == t.get("engagements", 0)
        assert got[work][4] == (pytest.approx(t["completed_views"] / views) if views else None)
        assert got[work][5] == n_assets[work]
    # hand check of one title: 1001 = A1 (100+50+200+300) + A3 (7+9) + A10 (6)
    assert got[1001][0] == 672


def test_title_channel_and_country_performance(built):
    ref, _, con = built
    by_channel: dict[tuple[int, str], int] = defaultdict(int)
    by_country: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    for r in ref.metric_rows():
        work = EXPECTED_MATCH[r["asset_id"]][0]
        if work is None:
            continue
        by_channel[(work, r["channel"])] += r["views"]
        cell = by_country[(work, r["country"])]
        cell[0] += r["views"]
        basis = EXPECTED_MATCH[r["asset_id"]][4]
        if (
            r["country"] != "ZZ"
            and basis != "AUDIO_PRODUCT_UNKNOWN"
            and not allowed(r["asset_id"], r["country"])
        ):
            cell[1] += r["views"]
    got_channel = {
        (w, c): v
        for w, c, v in rows(
            con, "select work_id, channel, views from marts.mart_title_channel_performance"
        )
    }
    assert got_channel == dict(by_channel)
    got_country = {
        (w, c): [v, n]
        for w, c, v, n in rows(
            con,
            "select work_id, country, views, views_not_for_sale from marts.mart_title_country_performance",
        )
    }
    assert got_country == {k: v for k, v in by_country.items()}
    assert rows(
        con,
        "select title_for_sale from marts.mart_title_country_performance where work_id = 1002 and country = 'PH'",
    ) == [(False,)]
    assert rows(
        con, "select title_for_sale from marts.mart_title_country_performance where country = 'ZZ'"
    ) == [(None,)]


def test_launch_window(built):
    ref, _, con = built
    first = dict(rows(con, "select work_id, first_publication_date from marts.dim_title"))
    # by hand from the fixture: 1001's earliest live-or-not product date is 2026-03-01 (P100, P101)
    assert first[1001] == date(2026, 3, 1)
    assert first[1002] == date(2026, 2, 1)  # P202 published 02-01, then withdrawn: still first
    assert first[1004] == date(2026, 1, 10)  # P402 (cancelled, 2025-12-01) does not count
    assert first[1006] is None
    lo, hi = Rules().launch_window
    expected: dict[tuple[int, int], int] = defaultdict(int)
    for r in ref.metric_rows():
        work = EXPECTED_MATCH[r["asset_id"]][0]
        if work is None or first[work] is None:
            continue
        days = (r["metric_date"] - first[work]).days
        if lo <= days <= hi:
            expected[(work, days)] += r["views"]
    got = rows(
        con,
        "select work_id, days_from_publication, views, cumulative_views from marts.mart_launch_window order by 1, 2",
    )
    assert {(w, d): v for w, d, v, _ in got} == dict(expected)
    running: dict[int, int] = defaultdict(int)
    for w, _d, v, cum in got:
        running[w] += v
        assert cum == running[w]
    assert (1001, 0) in expected and (1001, 2) in expected and (1003, 0) not in expected


def test_season_and_imprint_rollups(built):
    ref, _, con = built
    totals = _title_totals(ref)
    titles = rows(con, "select work_id, season_name, imprint_name from marts.dim_title")
    season: dict[str, list[float]] = defaultdict(lambda: [0, 0])
    imprint: dict[str, list[float]] = defaultdict(lambda: [0, 0])
    for work, s, i in titles:
        season[s or "Unassigned"][0] += 1
        season[s or "Unassigned"][1] += totals.get(work, {}).get("views", 0)
        imprint[i or "Unassigned"][0] += 1
        imprint[i or "Unassigned"][1] += totals.get(work, {}).get("views", 0)
    assert {
        s: [n, v]
        for s, n, v in rows(
            con, "select season_name, n_titles, views from marts.mart_season_performance"
        )
    } == season
    assert {
        i: [n, v]
        for i, n, v in rows(
            con, "select imprint_name, n_titles, views from marts.mart_imprint_performance"
        )
    } == imprint
    assert season["Spring 2026"] == [3, 672 + 57 + 2]
    assert season["Unassigned"] == [1, 0]


# ---- compliance ---------------------------------------------------------------------------


def covers(whitelist: tuple[str, ...], blacklist: tuple[str, ...], country: str) -> bool:
    return country not in blacklist and (not whitelist or country in whitelist)


def test_compliance_findings(built):
    ref, _, con = built
    expected = set()
    for r in ref.metric_rows():
        work, _, method, _, basis = EXPECTED_MATCH[r["asset_id"]]
        if method == "UNMATCHED" or basis == "AUDIO_PRODUCT_UNKNOWN" or r["country"] == "ZZ":
            continue
        if not allowed(r["asset_id"], r["country"]):
            expected.add(("VIEWS_IN_NOT_FOR_SALE_COUNTRY", r["asset_id"], None, r["country"]))
    # enabled placements that cover a country the asset may not play in (countries from a list
    # of every country the fixture mentions, plus one it never mentions: XX)
    world = ["GB", "US", "CA", "PH", "IE", "AU", "NZ", "XX"]
    placements = {
        "PL1": ("A1", (), (), True),
        "PL2": ("A2", (), (), True),
        "PL3": ("A2", (), ("PH",), True),
        "PL4": ("A3", ("GB", "US"), (), True),
        "PL5": ("A11", (), (), True),
        "PL6": ("A8", ("GB",), (), True),
        "PL7": ("A8", (), (), False),
        "PL8": ("A5", (), (), True),
        "PL9": ("A4", ("US",), (), False),
    }
    for pid, (asset_id, wl, bl, enabled) in placements.items():
        if enabled and any(covers(wl, bl, c) and not allowed(asset_id, c) for c in world):
            expected.add(("ENABLED_PLACEMENT_COVERS_NOT_FOR_SALE", asset_id, pid, None))
    for asset_id, (_work, _, method, _, basis) in EXPECTED_MATCH.items():
        if method == "UNMATCHED":
            expected.add(("UNMATCHED_ASSET", asset_id, None, None))
        if basis == "AUDIO_PRODUCT_UNKNOWN":
            expected.add(("AUDIO_ASSET_WITHOUT_PRODUCT", asset_id, None, None))
    expected.add(("PUBLISHED_ASSET_OF_WITHDRAWN_TITLE", "A8", None, None))  # 1004 is withdrawn
    got = set(
        rows(
            con,
            "select finding_type, asset_id, placement_id, country from marts.mart_compliance_findings",
        )
    )
    assert got == expected
    views = dict(
        rows(
            con,
            "select asset_id, views from marts.mart_compliance_findings "
            "where finding_type = 'VIEWS_IN_NOT_FOR_SALE_COUNTRY' and country in ('PH', 'US') and channel <> 'YOUTUBE'",
        )
    )
    assert views == {"A2": 30, "A3": 7}
    # A10's 6 US views are not a "not for sale" finding (no audio product to test) but its own
    assert rows(
        con,
        "select finding_type, views from marts.mart_compliance_findings where asset_id = 'A10'",
    ) == [("AUDIO_ASSET_WITHOUT_PRODUCT", 6)]
    covered = dict(
        rows(
            con,
            "select placement_id, countries from marts.mart_compliance_findings where placement_id is not null",
        )
    )
    assert covered == {"PL2": ["PH"], "PL4": ["US"], "PL5": [], "PL6": ["GB"], "PL8": []}


# ---- the warehouse as analysts see it --------------------------------------------------------


def test_every_mart_table_and_column_has_a_comment(built):
    _, _, con = built
    tables = rows(
        con, "select table_name, comment from duckdb_tables() where schema_name = 'marts'"
    )
    assert len(tables) == 13  # 12 + mart_launch_readiness
    assert all(comment for _, comment in tables)
    missing = rows(
        con,
        "select table_name, column_name from duckdb_columns() where schema_name = 'marts' and (comment is null or comment = '')",
    )
    assert missing == []


def test_build_records_its_manifest_runs_and_tests(built):
    ref, result, con = built
    raw_files = sorted(
        p.relative_to(ref.builder.lake.raw).as_posix()
        for p in ref.builder.lake.raw.rglob("*.parquet")
    )
    assert [
        p for (p,) in rows(con, "select path from meta.raw_partitions order by path")
    ] == raw_files
    assert rows(con, "select mode, logical_date, storage_version from meta.build_info") == [
        ("full", D3, "v1.4.0")
    ]
    assert rows(con, "select count(*) from meta.model_tests where failures = 0")[0][0] == len(
        result.tests
    )
    summary = result.summary()
    assert summary["suites_passed"] == 2 and summary["tests_passed"] == len(result.tests)
    assert summary["rows"]["fct_video_daily"] == sum(len(v) for v in ref.metrics.values())


def test_file_is_in_the_storage_format_duckdb_1_4_opens(built):
    ref, _, _ = built
    # DuckDB 1.4 refuses files whose header number is above 67 (1.5: 68; 2.0 writes a newer one)
    assert STORAGE_HEADER_NUMBER == 67
    assert storage_header_number(ref.builder.lake.warehouse) == 67


def test_data_docs_are_written(built):
    ref, _, _ = built
    docs = ref.builder.lake.reports / "data_docs"
    assert (docs / "marts" / "index.html").exists()
    assert "marts" in (docs / "index.html").read_text()


def test_metric_dates_loaded(built):
    _, _, con = built
    assert [
        d for (d,) in rows(con, "select distinct metric_date from marts.fct_video_daily order by 1")
    ] == [D1, D2, D3]
