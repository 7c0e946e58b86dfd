"""Fixtures of the reliability suite: the e2e tier's migrated Airflow DB."""

from __future__ import annotations

from tests.e2e.conftest import airflow_db  # noqa: F401
