"""The Docker Compose deployment (docker-compose.yaml + Dockerfile), checked without a Docker engine.

The YAML is parsed with PyYAML (anchors and ``<<`` merge keys resolve as Compose resolves them) and
``${VAR:-default}`` / ``$$`` are interpolated the way Compose does, so every assertion is about the
configuration the containers would actually get. Expectations are written out here, not read back
from the file under test; where two places must agree (a connection and the emulator it names, the
base image and the lock) the test derives each side independently.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import tomllib
from fnmatch import fnmatch
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from emulators.common import EmulatorCore, common_arguments

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yaml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"

IMAGE = "title-video-elt:latest"
LAKE_PATH = "/opt/airflow/data"

# Long-running Airflow components and the `airflow` sub-command each runs.
AIRFLOW_SERVICES = {
    "airflow-apiserver": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-worker": "celery worker",
    "airflow-triggerer": "triggerer",
}
# Every container that runs Airflow code from the project image (incl. one-shot and optional ones).
ALL_AIRFLOW = {*AIRFLOW_SERVICES, "airflow-init", "airflow-cli", "flower"}
# Emulator service -> (module run with `python -m`, the connection variable that points at it).
EMULATORS = {
    "consonance-emulator": ("emulators.consonance", "AIRFLOW_CONN_CONSONANCE_DEFAULT"),
    "bytenite-emulator": ("emulators.bytenite", "AIRFLOW_CONN_BYTENITE_DEFAULT"),
}
DEFAULT_SERVICES = {"postgres", "redis", *AIRFLOW_SERVICES, "airflow-init", *EMULATORS}
PROFILED_SERVICES = {"airflow-cli": ["debug"], "flower": ["flower"]}

HEALTHY = {"condition": "service_healthy"}
COMPLETED = {"condition": "service_completed_successfully"}
RUNTIME_DEPENDS_ON = {
    "postgres": HEALTHY,
    "redis": HEALTHY,
    "airflow-init": COMPLETED,
    "consonance-emulator": HEALTHY,
    "bytenite-emulator": HEALTHY,
}

# Compose interpolation: $$ is a literal $, ${VAR}, ${VAR:-default} (unset or empty), ${VAR-default}.
_VARIABLE = re.compile(r"\$(?:(\$)|\{(\w+)(?:(:?-)([^}]*))?\}|(\w+))")


def interpolate(value: Any, env: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        if match.group(1):
            return "$"
        name = match.group(2) or match.group(5)
        operator, default = match.group(3), match.group(4)
        current = env.get(name)
        if operator == ":-" and not current:
            return default
        if operator == "-" and current is None:
            return default
        return current or ""

    return _VARIABLE.sub(substitute, value)


def read_env_file(path: Path) -> dict[str, str]:
    """A Compose ``env_file``: ``KEY=VALUE`` lines, ``#`` comments and blank lines skipped. The
    project's file keeps to plain values (checked below), where Compose's rules are this simple."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            out[key] = value
    return out


def load_compose(env: dict[str, str] | None = None) -> dict[str, Any]:
    """The Compose model as the engine would see it with these host variables (none by default).

    A service's ``env_file`` values are merged under its ``environment`` (which wins in Compose),
    so ``environment`` is what the container gets; ``env_file`` itself is kept for the checks."""
    raw = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    model = interpolate(raw, env or {})
    for service in model["services"].values():
        files = service.get("env_file") or []
        if files:
            merged: dict[str, Any] = {}
            for name in files:
                merged.update(read_env_file(ROOT / name))
            merged.update(service.get("environment") or {})
            service["environment"] = merged
    return model


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return load_compose()


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    return compose["services"]


def emulator_cli(command: list[str]) -> tuple[str, argparse.Namespace]:
    """The module an emulator service runs and its arguments, parsed by the emulators' own CLI."""
    assert command[:2] == ["python", "-m"], command
    parser = argparse.ArgumentParser()
    common_arguments(parser, default_port=0, default_key="not-the-default")
    return command[2], parser.parse_args(command[3:])


def healthcheck_url(service: dict[str, Any]) -> str:
    test = service["healthcheck"]["test"]
    assert test[:3] == ["CMD", "curl", "--fail"], test
    assert len(test) == 4, test
    return test[3]


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, comments dropped and continuation lines joined."""
    logical: list[str] = []
    pending = ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        pending += stripped
        if pending.endswith("\\"):
            pending = pending[:-1] + " "
            continue
        logical.append(pending)
        pending = ""
    assert not pending, "dangling line continuation"
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in logical]


def copies() -> list[tuple[list[str], str]]:
    """Every COPY as (sources, destination), flags such as --chown removed."""
    result = []
    for instruction, arguments in dockerfile_instructions():
        if instruction == "COPY":
            words = [word for word in shlex.split(arguments) if not word.startswith("--")]
            result.append((words[:-1], words[-1]))
    return result


def pip_installs() -> list[list[str]]:
    return [
        shlex.split(arguments)
        for instruction, arguments in dockerfile_instructions()
        if instruction == "RUN" and arguments.startswith("pip install")
    ]


# --------------------------------------------------------------------------------------------
# Services
# --------------------------------------------------------------------------------------------


def test_services_are_the_official_set_plus_the_two_emulators(services: dict[str, Any]) -> None:
    default = {name for name, service in services.items() if "profiles" not in service}
    assert default == DEFAULT_SERVICES
    profiled = {
        name: service["profiles"] for name, service in services.items() if "profiles" in service
    }
    assert profiled == PROFILED_SERVICES


def test_celery_executor_on_postgres_16_and_redis(services: dict[str, Any]) -> None:
    assert services["postgres"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7.2-bookworm"
    for name in ALL_AIRFLOW:
        env = services[name]["environment"]
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert (
            env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
            == "postgresql+psycopg2://airflow:airflow@postgres/airflow"
        )
        assert (
            env["AIRFLOW__CELERY__RESULT_BACKEND"]
            == "db+postgresql://airflow:airflow@postgres/airflow"
        )
        assert env["AIRFLOW__CELERY__BROKER_URL"] == "redis://:@redis:6379/0"
        assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "false"
        assert "_PIP_ADDITIONAL_REQUIREMENTS" not in env, name


def test_each_airflow_component_runs_its_own_command(services: dict[str, Any]) -> None:
    for name, command in AIRFLOW_SERVICES.items():
        assert services[name]["command"] == command


def test_every_long_running_service_has_a_healthcheck_and_restarts(
    services: dict[str, Any],
) -> None:
    one_shot = {"airflow-init", "airflow-cli"}
    long_running = set(services) - one_shot
    assert long_running == {"postgres", "redis", *AIRFLOW_SERVICES, *EMULATORS, "flower"}
    for name in long_running:
        assert services[name]["healthcheck"]["test"], name
        assert services[name]["restart"] == "always", name
    for name in one_shot:
        assert "healthcheck" not in services[name], name
        assert "restart" not in services[name], name


def test_airflow_components_wait_for_backends_init_and_both_emulators(
    services: dict[str, Any],
) -> None:
    for name in AIRFLOW_SERVICES:
        expected = dict(RUNTIME_DEPENDS_ON)
        if name == "airflow-worker":
            expected["airflow-apiserver"] = HEALTHY
        assert services[name]["depends_on"] == expected, name
    assert services["airflow-init"]["depends_on"] == {"postgres": HEALTHY, "redis": HEALTHY}


def test_the_apiserver_health_check_and_the_execution_api_url(services: dict[str, Any]) -> None:
    apiserver = services["airflow-apiserver"]
    assert apiserver["ports"] == ["8080:8080"]
    url = urlsplit(healthcheck_url(apiserver))
    assert (url.hostname, url.port, url.path) == ("localhost", 8080, "/api/v2/version")
    for name in ALL_AIRFLOW:
        execution = urlsplit(
            services[name]["environment"]["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"]
        )
        assert (execution.scheme, execution.hostname, execution.port, execution.path) == (
            "http",
            "airflow-apiserver",
            8080,
            "/execution/",
        ), name
        # Task tokens are signed by one component and checked by another: one shared secret.
        assert (
            services[name]["environment"]["AIRFLOW__API_AUTH__JWT_SECRET"] == "airflow_jwt_secret"
        )


def test_airflow_runs_as_airflow_uid_with_group_0_and_init_as_root(
    services: dict[str, Any],
) -> None:
    for name in ALL_AIRFLOW - {"airflow-init"}:
        assert services[name]["user"] == "50000:0", name
    assert services["airflow-init"]["user"] == "0:0"
    assert load_compose({"AIRFLOW_UID": "1234"})["services"]["airflow-worker"]["user"] == "1234:0"


# --------------------------------------------------------------------------------------------
# The lake and the single warehouse writer
# --------------------------------------------------------------------------------------------


def test_the_lake_is_one_named_volume_at_one_path_in_every_airflow_container(
    compose: dict[str, Any],
) -> None:
    assert "lake" in compose["volumes"]
    services = compose["services"]
    for name in ALL_AIRFLOW:
        assert f"lake:{LAKE_PATH}" in services[name]["volumes"], name
        assert services[name]["environment"]["LAKE_ROOT"] == LAKE_PATH, name
    users = {
        name
        for name, service in services.items()
        if f"lake:{LAKE_PATH}" in service.get("volumes", [])
    }
    assert users == ALL_AIRFLOW


def init_script(services: dict[str, Any]) -> list[str]:
    init = services["airflow-init"]
    assert init["entrypoint"] == "/bin/bash"
    assert init["command"][0] == "-c"
    return [line.strip() for line in init["command"][1].splitlines()]


def test_init_migrates_then_creates_the_single_writer_pool(services: dict[str, Any]) -> None:
    lines = init_script(services)
    commands = [shlex.split(line) for line in lines if line.startswith("/entrypoint airflow")]
    migrate = commands.index(["/entrypoint", "airflow", "db", "migrate", "||", "exit", "1"])
    pool = commands.index(
        [
            "/entrypoint",
            "airflow",
            "pools",
            "set",
            "duckdb_writer",
            "1",
            "DuckDB warehouse: single writer",
            "||",
            "exit",
            "1",
        ]
    )
    assert migrate < pool
    # No other pool is created, and the slot count is set nowhere else.
    assert sum("pools set" in line for line in lines) == 1


def test_init_writes_the_ui_login_the_api_server_reads(services: dict[str, Any]) -> None:
    common = services["airflow-apiserver"]["environment"]
    assert common["AIRFLOW__CORE__AUTH_MANAGER"] == (
        "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
    )
    assert common["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"] == "airflow:admin"
    password_file = common["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"]
    assert password_file.startswith("/opt/airflow/config/")
    init_env = services["airflow-init"]["environment"]
    assert (init_env["_AIRFLOW_WWW_USER_USERNAME"], init_env["_AIRFLOW_WWW_USER_PASSWORD"]) == (
        "airflow",
        "airflow",
    )
    assert any(line.startswith(f"> {password_file} ") for line in init_script(services))


# --------------------------------------------------------------------------------------------
# Emulators and the connections that point at them
# --------------------------------------------------------------------------------------------


def test_emulators_run_from_the_project_image_and_answer_their_health_route(
    services: dict[str, Any],
) -> None:
    admin_paths = {
        route.path
        for route in EmulatorCore(
            seed=1, works=1, today=None, faults="none", api_keys=("k",)
        ).admin_routes()
    }
    assert "/_emulator/health" in admin_paths
    for name, (module, _) in EMULATORS.items():
        service = services[name]
        assert (service["image"], service["build"]) == (IMAGE, ".")
        found_module, args = emulator_cli(service["command"])
        assert found_module == module
        assert args.host == "0.0.0.0"  # reachable from the other containers
        assert service["expose"] == [args.port]
        url = urlsplit(healthcheck_url(service))
        assert (url.hostname, url.port, url.path) == ("localhost", args.port, "/_emulator/health")
        assert "depends_on" not in service


@pytest.mark.parametrize(
    ("env", "keys"),
    [
        (
            {},
            {
                "consonance-emulator": "consonance-emulator-key",
                "bytenite-emulator": "bytenite-emulator-key",
            },
        ),
        (
            {"CONSONANCE_API_KEY": "c-key-from-env", "BYTENITE_API_KEY": "b-key-from-env"},
            {"consonance-emulator": "c-key-from-env", "bytenite-emulator": "b-key-from-env"},
        ),
    ],
)
def test_connections_are_json_and_name_the_emulator_its_port_and_key(
    env: dict[str, str], keys: dict[str, str]
) -> None:
    services = load_compose(env)["services"]
    for name, (_, variable) in EMULATORS.items():
        _, args = emulator_cli(services[name]["command"])
        assert args.api_keys == [keys[name]]
        for airflow_service in ALL_AIRFLOW:
            connection = json.loads(services[airflow_service]["environment"][variable])
            assert set(connection) == {"conn_type", "host", "password"}
            assert connection["conn_type"] == "http"
            host = urlsplit(connection["host"])
            assert (host.scheme, host.hostname, host.port, host.path) == (
                "http",
                name,
                args.port,
                "",
            )
            assert connection["password"] == keys[name]


# --------------------------------------------------------------------------------------------
# Image and mounts
# --------------------------------------------------------------------------------------------


def test_every_project_container_uses_the_image_built_from_the_dockerfile(
    services: dict[str, Any],
) -> None:
    built = {name for name, service in services.items() if "build" in service}
    assert built == ALL_AIRFLOW | set(EMULATORS)
    for name in built:
        assert (services[name]["image"], services[name]["build"]) == (IMAGE, "."), name
    assert DOCKERFILE.is_file()


def test_dockerfile_base_image_matches_the_locked_airflow_and_python() -> None:
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    airflow_version = re.search(r"^apache-airflow==(\S+)", lock, re.MULTILINE).group(1)
    bases = [
        arguments for instruction, arguments in dockerfile_instructions() if instruction == "FROM"
    ]
    assert bases == [f"apache/airflow:{airflow_version}-python3.11"]


def test_dockerfile_installs_the_lock_then_the_project_without_deps() -> None:
    destinations = {source: destination for sources, destination in copies() for source in sources}
    lock_in_image = destinations["requirements.lock"]
    project_dir = destinations["pyproject.toml"].rstrip("/")
    # The package finds its SQL and rules as PROJECT_ROOT/include: the repository layout is kept.
    for folder in ("titlevideo", "emulators", "include"):
        assert destinations[f"{folder}/"].rstrip("/") == f"{project_dir}/{folder}", folder
    readme = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "readme"
    ]
    assert destinations[readme].rstrip("/") == project_dir  # the build backend needs it

    # In this order: the lock first, then the project, which can pull nothing the lock did not pin.
    assert pip_installs() == [
        ["pip", "install", "--no-cache-dir", "-r", lock_in_image],
        ["pip", "install", "--no-cache-dir", "--no-deps", "-e", project_dir],
    ]


def test_dockerfile_copies_only_files_that_exist_and_reach_the_build_context() -> None:
    ignored = [
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for required in (
        ".git",
        ".venv",
        "data",
        ".airflow",
        ".pytest_cache",
        ".ruff_cache",
        "**/__pycache__",
    ):
        assert required in ignored, required
    for sources, _ in copies():
        for source in sources:
            assert (ROOT / source).exists(), source
            assert not any(fnmatch(source.rstrip("/"), pattern) for pattern in ignored), source


def test_repository_bind_mounts_are_the_expected_folders_and_exist(
    services: dict[str, Any],
) -> None:
    mounts: dict[str, set[str]] = {}
    for service in services.values():
        for volume in service.get("volumes", []):
            source, target = volume.split(":")[:2]
            if source.startswith("./"):
                mounts.setdefault(source[2:], set()).add(target)
    assert mounts == {
        "dags": {"/opt/airflow/dags"},
        "logs": {"/opt/airflow/logs"},
        "config": {"/opt/airflow/config"},
        "plugins": {"/opt/airflow/plugins"},
        "include": {"/opt/airflow/include"},
    }
    # logs/ is runtime output (git-ignored; Compose creates it). The rest come from the checkout.
    for folder in ("dags", "config", "plugins", "include"):
        assert (ROOT / folder).is_dir(), folder
    assert "./include:/opt/airflow/include:ro" in services["airflow-worker"]["volumes"]


# --------------------------------------------------------------------------------------------
# One source of Airflow settings for Compose and `make deploy` (the same stack as processes)
# --------------------------------------------------------------------------------------------

SHARED = ROOT / "deploy" / "airflow.env"
#: Settings `make deploy` sets that docker-compose.yaml does not, each for a reason of the host it
#: runs on (one machine, one network namespace, no image), never a different behaviour.
ONLY_THE_PROCESS_STACK = {
    # Compose: the image's AIRFLOW_HOME (/opt/airflow) holds the mounted dags/ and plugins/
    "AIRFLOW_HOME",
    "AIRFLOW__CORE__DAGS_FOLDER",
    "AIRFLOW__CORE__PLUGINS_FOLDER",
    # Compose: every container has its own network namespace, so the default ports never collide;
    # on one host each server gets its own (free) port
    "AIRFLOW__API__HOST",
    "AIRFLOW__API__PORT",
    "AIRFLOW__API__BASE_URL",
    "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT",
    "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT",
    "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT",
}
#: Settings docker-compose.yaml sets that `make deploy` does not.
ONLY_COMPOSE = {
    # the config file in the mounted config/ folder; the process stack keeps AIRFLOW_HOME/airflow.cfg
    "AIRFLOW_CONFIG",
}


def _raw_services() -> dict[str, Any]:
    """Services as written (not interpolated, env_file not merged)."""
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))["services"]


def _deploy_settings(tmp_path: Path) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """What `make deploy` gives its components with its defaults: the common settings and each
    component's whole environment."""
    from titlevideo.local import deploy

    settings = deploy.Settings.from_env(
        {"DEPLOY_HOME": str(tmp_path / "home")},
        connections={
            "AIRFLOW_CONN_CONSONANCE_DEFAULT": '{"conn_type": "http", "host": "http://127.0.0.1:1", "password": "k"}',
            "AIRFLOW_CONN_BYTENITE_DEFAULT": '{"conn_type": "http", "host": "http://127.0.0.1:2", "password": "k"}',
        },
    )
    ports = {"scheduler_health": 1, "triggerer_log": 2, "worker-1_log": 3, "worker-2_log": 4}
    common = deploy.stack_settings(settings, settings.connections or {}, ports)
    components = {
        name: deploy.component_env(common, name, ports) for name in deploy.component_commands()
    }
    return common, components


def test_the_shared_settings_file_holds_plain_airflow_settings_only() -> None:
    from titlevideo.local.deploy import SHARED_SETTINGS
    from titlevideo.local.deploy import read_env_file as deploy_reader

    assert SHARED_SETTINGS == SHARED
    lines = [
        line.strip()
        for line in SHARED.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    # Plain KEY=VALUE: Compose and `make deploy` cannot read one of these lines two ways.
    # Airflow's settings, and the deployment's own TITLEVIDEO_ ones (the metadata retention)
    for line in lines:
        assert re.fullmatch(
            r"(AIRFLOW__[A-Z0-9_]+__[A-Z0-9_]+|TITLEVIDEO_[A-Z0-9_]+)=[^\s\"'$#]+", line
        ), line
    shared = read_env_file(SHARED)
    assert len(shared) == len(lines), "a key is set twice"
    assert deploy_reader() == shared
    assert shared["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"


def test_every_airflow_container_reads_the_shared_file_and_overrides_none_of_it() -> None:
    shared = read_env_file(SHARED)
    raw = _raw_services()
    compose = load_compose()["services"]
    for name in ALL_AIRFLOW:
        assert compose[name]["env_file"] == ["deploy/airflow.env"], name
        own = set(raw[name].get("environment") or {})
        # anchors merged: the common environment counts as the service's own
        own |= set(yaml.safe_load(COMPOSE_FILE.read_text())["x-airflow-common"]["environment"])
        assert not own & set(shared), f"{name} overrides {own & set(shared)}"
        for key, value in shared.items():
            assert compose[name]["environment"][key] == value, (name, key)
    for name in EMULATORS:  # the emulators are not Airflow and get none of it
        assert "env_file" not in compose[name], name


def test_make_deploy_gives_every_component_the_shared_settings_unchanged(tmp_path: Path) -> None:
    from titlevideo.local.deploy import WORKERS

    shared = read_env_file(SHARED)
    _, components = _deploy_settings(tmp_path)
    assert set(components) == set(AIRFLOW_SERVICES.values()) - {"celery worker"} | set(WORKERS)
    for name, env in components.items():
        for key, value in shared.items():
            assert env[key] == value, (name, key)


def test_compose_and_make_deploy_set_the_same_settings_besides_the_shared_file(
    tmp_path: Path,
) -> None:
    shared = set(read_env_file(SHARED))
    compose_common = set(
        yaml.safe_load(COMPOSE_FILE.read_text())["x-airflow-common"]["environment"]
    )
    deploy_common, _ = _deploy_settings(tmp_path)
    deploy_own = set(deploy_common) - shared
    assert compose_common - deploy_own == ONLY_COMPOSE
    assert deploy_own - compose_common == ONLY_THE_PROCESS_STACK


def test_both_put_airflow_and_celery_results_in_one_postgres_database_and_tasks_on_redis(
    services: dict[str, Any], tmp_path: Path
) -> None:
    deploy_common, _ = _deploy_settings(tmp_path)
    compose_env = services["airflow-scheduler"]["environment"]
    for env, api in (
        (compose_env, ("airflow-apiserver", 8080)),
        (deploy_common, ("127.0.0.1", int(deploy_common["AIRFLOW__API__PORT"]))),
    ):
        metadata = urlsplit(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
        results = urlsplit(env["AIRFLOW__CELERY__RESULT_BACKEND"])
        broker = urlsplit(env["AIRFLOW__CELERY__BROKER_URL"])
        assert metadata.scheme == "postgresql+psycopg2"
        assert results.scheme == "db+postgresql"
        assert (results.netloc, results.path) == (metadata.netloc, metadata.path)
        assert broker.scheme == "redis"
        execution = urlsplit(env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"])
        assert (execution.hostname, execution.port, execution.path) == (*api, "/execution/")
    # make deploy's own database by default, never the server's `postgres` database
    assert urlsplit(deploy_common["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]).path == (
        "/titlevideo_airflow"
    )
