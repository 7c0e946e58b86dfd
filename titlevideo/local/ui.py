"""``make airflow``: ``airflow standalone`` on the emulators (or the caller's connections), with
the project's DAGs, until Ctrl-C."""

from __future__ import annotations

import contextlib
import json
import os
import time

from titlevideo import DAG_IDS
from titlevideo.config import Lake
from titlevideo.local import airflow_home, say
from titlevideo.local.airflow import (
    UI_STATE_FILE,
    LocalAirflow,
    admin_login,
    airflow_env,
    interrupt_on_signals,
    port_in_use,
    prepare_airflow,
    running_ui,
    standalone_env,
)
from titlevideo.local.api import AirflowApi
from titlevideo.local.cycle import RUN_ORDER
from titlevideo.local.emulators import systems


def serve(seed: int, works: int, ports: dict[str, int], host: str, port: int) -> int:
    """The Airflow UI on ``host:port`` until Ctrl-C (or SIGTERM); every process it started is
    stopped on the way out, the emulators excepted."""
    lake = Lake.from_env()
    home = airflow_home()
    live = running_ui(home)
    if live:
        raise SystemExit(
            f"Airflow is already running for {home}: {live['url']} (pid {live['pid']})"
        )
    if port_in_use(port):
        raise SystemExit(
            f"port {port} is in use (another Airflow?); pick another: `make airflow PORT=8090`"
        )
    urls, _ = systems(seed, works, home / "emulators", ports)
    env = airflow_env(urls, lake, home)
    log_file = home / "run.log"
    say(f"Preparing Airflow in {home} …")
    prepare_airflow(env, log_file)
    user, password, password_file = admin_login(env)
    env = standalone_env(env, host, port, headless=False)
    airflow = LocalAirflow(env, port, home / "standalone.log")
    api = AirflowApi(airflow.url, user, password)
    started = time.monotonic()
    say(f"Starting airflow standalone on port {port} (logs: {airflow.log_file}) …")

    interrupt_on_signals()
    state_file = home / UI_STATE_FILE
    try:
        airflow.start()
        airflow.wait_ready(api, DAG_IDS)
        state_file.write_text(
            json.dumps({"pid": os.getpid(), "url": airflow.url, "port": port, "user": user})
        )
        where = (
            f"Consonance {urls['consonance']} · ByteNite {urls['bytenite']}"
            if urls
            else "the systems in your AIRFLOW_CONN_* variables"
        )
        say(
            "\n".join(
                [
                    "",
                    f"Airflow is ready at {airflow.url}  (started in {time.monotonic() - started:.0f}s)",
                    f"  log in        user {user!r}, password {password!r}",
                    f"                (kept in {password_file}; delete it for a new one)",
                    f"  DAGs          {', '.join(RUN_ORDER)}",
                    "                new DAGs start paused: unpause one in the UI to schedule it daily,",
                    '                or trigger it with the "date" param (▶ → Trigger DAG w/ config)',
                    f"  connections   consonance_default, bytenite_default → {where}",
                    f"  lake          {lake.root}",
                    f"  logs          {airflow.log_file}",
                    "Ctrl-C stops Airflow; the emulators keep running (`make stop` stops them).",
                ]
            )
        )
        while airflow.alive():
            time.sleep(1)
        raise SystemExit(airflow.died("airflow standalone stopped"))
    except KeyboardInterrupt:
        say("\nStopping Airflow …")
        return 0
    finally:
        airflow.stop()
        with contextlib.suppress(FileNotFoundError):
            if json.loads(state_file.read_text()).get("pid") == os.getpid():
                state_file.unlink()
