"""Suite-wide isolation: a private Airflow home and lake, never the developer's own.

Set before anything imports Airflow (it reads AIRFLOW_HOME at import time).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_SESSION_DIR = Path(tempfile.mkdtemp(prefix="titlevideo-tests-"))

os.environ["AIRFLOW_HOME"] = str(_SESSION_DIR / "airflow")
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(ROOT / "dags")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__PLUGINS_FOLDER"] = str(ROOT / "plugins")
os.environ.setdefault("LAKE_ROOT", str(_SESSION_DIR / "lake"))
# Tests must never reach a real system: drop connections a developer may have exported.
for _name in ("AIRFLOW_CONN_CONSONANCE_DEFAULT", "AIRFLOW_CONN_BYTENITE_DEFAULT"):
    os.environ.pop(_name, None)
