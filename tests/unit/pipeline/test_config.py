from __future__ import annotations

import pytest

from titlevideo.config import ConfigError, Rules, load_rules, rules_from_dict
from titlevideo.connections import Endpoint, connection_json, from_env
from titlevideo.transport import parse_retry_after

pytestmark = pytest.mark.unit


def test_shipped_rules_file_equals_the_defaults():
    # The YAML states every default explicitly; a drift between the two is a review bug.
    assert load_rules() == Rules()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"deliverables": {"by_tier": {"Lead": ["TRAILERS"]}}}, "unknown deliverable type"),
        ({"channels": {"TRAILER": ["MYSPACE"]}}, "unknown channel"),
        ({"web_link_roles": {"TRAILER": "7"}}, "two-digit ONIX list 73"),
        ({"windows": {"launch_window": [10, 5]}}, "start < end"),
        ({"sync": {"max_attempts_per_row": 0}}, "max_attempts_per_row"),
        ({"colours": {}}, "unknown top-level key"),
        ({"windows": {"pre_order": 3}}, "unknown key(s) ['pre_order'] in windows"),
        ({"deliverables": {"audio_by_tier": {"Lead": ["TRAILER"]}}}, "not audio deliverables"),
        ({"deliverables": {"master_url_template": "https://x/{sku}"}}, "unknown placeholder"),
        ({"readiness": {"weeks_ahead": -1}}, "weeks_ahead and readiness.weeks_back"),
        ({"readiness": {"ready_days_before": {"TRAILER": 3}}}, "must set `default`"),
        (
            {"readiness": {"ready_days_before": {"default": 3, "TRAILERS": 1}}},
            "unknown deliverable",
        ),
        ({"readiness": {"ready_days_before": 7}}, "map deliverable types to days"),
        ({"readiness": {"placed_days_before": -2}}, "placed_days_before must be >= 0"),
        (
            {"channel_restrictions": {"by_imprint": {"Kestrel": ["TIKTOK", "MYSPACE"]}}},
            "channel_restrictions.by_imprint.Kestrel: unknown channel(s) ['MYSPACE']",
        ),
        (
            {"channel_restrictions": {"by_imprint": {"Kestrel": "TIKTOK"}}},
            "channel_restrictions.by_imprint.Kestrel must be a list of channel names",
        ),
        ({"channel_restrictions": {"by_imprint": {" ": ["X"]}}}, "an imprint name is empty"),
        (
            {"channel_restrictions": {"imprints": {}}},
            "unknown key(s) ['imprints'] in channel_restrictions",
        ),
        (
            {"windows": {"placements": {"respect_sales_embargo": "no"}}},
            "windows.placements.respect_sales_embargo must be true or false, not 'no'",
        ),
        (
            {"windows": {"placements": {"embargo": True}}},
            "unknown key(s) ['embargo'] in windows.placements",
        ),
        ({"windows": {"placements": [True]}}, "windows.placements must be a mapping"),
    ],
)
def test_bad_rules_name_what_to_fix(raw, message):
    with pytest.raises(ConfigError) as info:
        rules_from_dict(raw)
    assert message in str(info.value)


def test_readiness_deadlines_fall_back_to_the_default():
    rules = rules_from_dict({"readiness": {"ready_days_before": {"default": 5, "TRAILER": 30}}})
    assert rules.ready_days("TRAILER") == 30
    assert rules.ready_days("TEASER") == 5
    assert (rules.readiness_weeks_ahead, rules.readiness_weeks_back) == (8, 4)  # packaged


def test_landing_pages_restrictions_and_placement_windows_are_read():
    # the packaged defaults: trailers go to campaign landing pages; the children's imprint is
    # kept off TikTok and X; embargo and out-of-print dates bound the placements
    rules = Rules()
    assert "CAMPAIGN_LANDING" in rules.channels["TRAILER"]
    assert rules.channel_restrictions_by_imprint == {"Orchard Children's": ("TIKTOK", "X")}
    assert (rules.respect_sales_embargo, rules.end_at_out_of_print) == (True, True)
    # a rules file overrides each; what it leaves out keeps the packaged value
    custom = rules_from_dict(
        {
            "channel_restrictions": {"by_imprint": {"Kestrel": ["FACEBOOK"], "Fieldnote": None}},
            "windows": {"placements": {"respect_sales_embargo": False}},
        }
    )
    assert custom.channel_restrictions_by_imprint == {"Kestrel": ("FACEBOOK",), "Fieldnote": ()}
    assert (custom.respect_sales_embargo, custom.end_at_out_of_print) == (False, True)
    assert custom.channels == rules.channels


def test_endpoint_key_never_in_repr():
    e = Endpoint("consonance_default", "http://127.0.0.1:1", "abc123secret")
    assert "abc123secret" not in repr(e)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (None, "is not defined: set AIRFLOW_CONN_CONSONANCE_DEFAULT"),
        ("not json", "must be JSON"),
        ('{"conn_type": "http", "password": "k"}', "has no host"),
        ('{"conn_type": "http", "host": "http://h:1"}', "has no password"),
        ('{"conn_type": "postgres", "host": "http://h:1", "password": "k"}', "expected 'http'"),
        (
            '{"conn_type": "http", "host": "ftp://h", "password": "k"}',
            "must be a base URL with its scheme",
        ),
        (
            '{"conn_type": "http", "host": "http://h", "password": "k", "extra": {"max_attempts": 0}}',
            "bad extra",
        ),
    ],
)
def test_bad_connections_give_one_clear_message(monkeypatch, env, message):
    if env is None:
        monkeypatch.delenv("AIRFLOW_CONN_CONSONANCE_DEFAULT", raising=False)
    else:
        monkeypatch.setenv("AIRFLOW_CONN_CONSONANCE_DEFAULT", env)
    with pytest.raises(ConfigError) as info:
        from_env("consonance_default")
    assert message in str(info.value)


def test_connection_json_round_trip(monkeypatch):
    monkeypatch.setenv(
        "AIRFLOW_CONN_BYTENITE_DEFAULT", connection_json("http://127.0.0.1:8082", "key", timeout=7)
    )
    e = from_env("bytenite_default")
    assert (e.base_url, e.api_key, e.policy.read_timeout) == ("http://127.0.0.1:8082", "key", 7.0)


@pytest.mark.parametrize(
    ("value", "expected"), [(None, None), ("0", None), ("-3", None), ("2", 2.0), ("x", None)]
)
def test_retry_after_parsing(value, expected):
    assert parse_retry_after(value) == expected
