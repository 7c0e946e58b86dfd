"""The full_refresh param is gone (it duplicated mode=full): old triggers are told how to ask now."""

from __future__ import annotations

import logging

import pytest
from airflow.sdk.exceptions import AirflowFailException

from titlevideo.extract import task

pytestmark = pytest.mark.unit


class _Run:
    def __init__(self, conf):
        self.conf = conf


def test_a_trigger_without_it_is_left_alone():
    assert task._removed_full_refresh({"params": {"mode": "auto"}, "dag_run": _Run({})}) is None


@pytest.mark.parametrize("where", ["params", "conf"])
def test_an_old_trigger_is_found_in_params_or_conf(where):
    context = (
        {"params": {"full_refresh": True}}
        if where == "params"
        else {"params": {}, "dag_run": _Run({"full_refresh": True})}
    )
    assert task._removed_full_refresh(context) is True


@pytest.mark.parametrize("mode", ["auto", "full"])
def test_full_refresh_true_still_pulls_everything_and_says_use_mode_full(mode, caplog):
    with caplog.at_level(logging.WARNING, logger="titlevideo.extract.task"):
        assert task._mode_for_removed_full_refresh(True, mode) == "full"
    assert "full_refresh param was removed" in caplog.text
    assert '{"mode": "full"}' in caplog.text


def test_full_refresh_false_keeps_the_mode_and_says_so(caplog):
    with caplog.at_level(logging.WARNING, logger="titlevideo.extract.task"):
        assert task._mode_for_removed_full_refresh(False, "daily") == "daily"
    assert "full_refresh param was removed" in caplog.text


def test_full_refresh_contradicting_the_mode_stops_with_the_message():
    with pytest.raises(AirflowFailException, match=r"full_refresh=true with mode='daily'.*mode"):
        task._mode_for_removed_full_refresh(True, "daily")
