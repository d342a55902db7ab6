"""compose.yaml and the native runtime describe one lab: these checks fail when they drift apart.

Each side is read from its source of truth, never restated here: compose.yaml through PyYAML
(interpolated as compose would, with nothing set), the native side from StackSettings'
defaults and from the supervisord programs NativeRuntime defines (built, never started). Where
the two differ on purpose, the difference is named and asserted, not skipped.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from racelab.runtime import envfile
from racelab.runtime.native import NativeRuntime, render
from racelab.runtime.supervisor import Program
from racelab.settings import StackSettings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
TEMPLATE = "services/nginx/racelab.conf.template"
SECRETS = {name: name.lower() for name in envfile.SECRETS}

# Compose-only: Locust's workers are their own service; natively they are forked processes.
COMPOSE_ONLY_SERVICES = {"locust-worker"}
# Native-only: Erlang's port mapper, which the RabbitMQ image runs inside its own container.
NATIVE_ONLY_SERVICES = {"epmd"}
# Set per replica natively (app-1, app-2...); compose leaves it unset, since one value would
# name every replica of `app` alike, and each replica names itself after its hostname.
NATIVE_ONLY_APP_VARS = {"REPLICA_ID"}

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """Compose's ``${VAR}``, ``${VAR:-default}``, ``${VAR:?message}`` and ``$$``, recursively."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def one(m: re.Match[str]) -> str:
        name, op, arg = m.groups()
        current = env.get(name)
        if op in (":-", "-"):
            return current if current or (op == "-" and current is not None) else arg
        if op in (":?", "?"):
            if not current:
                raise KeyError(f"{name}: {arg}")
            return current
        return current or ""

    return _VAR.sub(one, value.replace("$$", "\0")).replace("\0", "$")


def compose_service(name: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    return dict(interpolate(SERVICES[name], {**SECRETS, **(env or {})}))


def compose_env(name: str, env: dict[str, str] | None = None) -> dict[str, str]:
    return {k: str(v) for k, v in compose_service(name, env).get("environment", {}).items()}


@pytest.fixture
def native(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> NativeRuntime:
    """A NativeRuntime with an empty environment: its programs are built from the defaults."""
    for name in list(os.environ):
        monkeypatch.delenv(name)
    monkeypatch.setenv("RUN_DIR", str(tmp_path))
    monkeypatch.setenv("RACELAB_ROOT", str(ROOT))
    runtime = NativeRuntime(out=lambda _line: None)
    runtime.env = dict(SECRETS)
    runtime.stack = StackSettings.from_env({})
    return runtime


def options(program: Program, flag: str) -> list[str]:
    """The values that follow each ``flag`` on a program's command line."""
    argv = program.command
    return [argv[i + 1] for i, arg in enumerate(argv[:-1]) if arg == flag]


def test_the_same_services() -> None:
    native_names = {re.sub(r"-\d+$", "", name) for name in _native_service_names()}
    assert set(SERVICES) - COMPOSE_ONLY_SERVICES == native_names - NATIVE_ONLY_SERVICES


def _native_service_names() -> list[str]:
    runtime = NativeRuntime(out=lambda _line: None)
    runtime.stack = StackSettings.from_env({})
    return [svc.name for svc in runtime.services(_binaries())]


def test_the_same_default_topology() -> None:
    defaults = StackSettings.from_env({})
    app = compose_service("app")
    assert int(app["deploy"]["replicas"]) == defaults.replicas
    assert len([n for n in _native_service_names() if n.startswith("app-")]) == defaults.replicas
    env = compose_env("app")
    assert (int(env["WORKERS"]), int(env["THREADS"]), int(env["RACE_WINDOW_MS"])) == (
        defaults.workers,
        defaults.threads,
        defaults.race_window_ms,
    )
    # gunicorn falls back to the same numbers when the variables are missing
    gunicorn = (ROOT / "services/app/gunicorn.conf.py").read_text()
    assert f'os.environ.get("WORKERS", "{defaults.workers}")' in gunicorn
    assert f'os.environ.get("THREADS", "{defaults.threads}")' in gunicorn


def test_knobs_reach_compose() -> None:
    """Every knob the settings read for the app is interpolated from the same variable."""
    env = compose_env("app", {"REPLICAS": "5", "WORKERS": "3", "THREADS": "7", "RACE_WINDOW_MS": "9"})
    assert (env["WORKERS"], env["THREADS"], env["RACE_WINDOW_MS"]) == ("3", "7", "9")
    assert str(compose_service("app", {"REPLICAS": "5"})["deploy"]["replicas"]) == "5"
    # nginx carries REPLICAS so that a new count recreates it (it resolves `app` at start)
    assert compose_env("nginx", {"REPLICAS": "5"})["REPLICAS"] == "5"


def test_app_gets_the_same_variables(native: NativeRuntime) -> None:
    program = native.app_program(1, 18001)
    native_env = program.environment  # only what the runtime sets: supervisord adds nothing else
    assert program.command[1:] == [
        "-m",
        "racelab.serve",
        "--gunicorn-config",
        str(ROOT / "services/app/gunicorn.conf.py"),
    ]
    compose = compose_env("app")
    assert set(compose) == set(native_env) - NATIVE_ONLY_APP_VARS
    assert not NATIVE_ONLY_APP_VARS & set(compose), "one REPLICA_ID would name every compose replica alike"
    for name in (
        "WORKERS",
        "THREADS",
        "SERVER",
        "REPLICAS",
        "LOCUST_URL",
        "RACE_WINDOW_MS",
        "LAB_TOKEN",
        "PYTHONUNBUFFERED",
    ):
        assert compose[name] == native_env[name], name
    # both reach the same database, as the same user, and the same Redis database number
    assert compose["DATABASE_URL"].split("@")[0] == native_env["DATABASE_URL"].split("@")[0]
    assert compose["DATABASE_URL"].rsplit("/", 1)[1] == native_env["DATABASE_URL"].rsplit("/", 1)[1]
    assert compose["REDIS_URL"].rsplit("/", 1)[1] == native_env["REDIS_URL"].rsplit("/", 1)[1]


def test_the_app_image_runs_the_same_gunicorn_settings() -> None:
    dockerfile = (ROOT / "services/app/Dockerfile").read_text()
    copied = re.search(r"^COPY services/app/gunicorn\.conf\.py (\S+)$", dockerfile, re.MULTILINE)
    assert copied, "the app image must use services/app/gunicorn.conf.py"
    assert f'CMD ["python", "-m", "racelab.serve", "--gunicorn-config", "{copied.group(1)}"]' in dockerfile
    assert re.search(r"^USER (?!root)\S+$", dockerfile, re.MULTILINE), "the app runs as a non-root user"


def test_each_replica_has_a_folder_of_its_own(native: NativeRuntime) -> None:
    """file-lock must fail across replicas in both runtimes: nothing shares REPLICA_DIR."""
    folders = [native.app_program(i, 18000 + i).environment["REPLICA_DIR"] for i in (1, 2)]
    assert folders[0] != folders[1]
    app = compose_service("app")
    replica_dir = compose_env("app")["REPLICA_DIR"]
    assert any(replica_dir.startswith(t.rstrip("/") + "/") for t in app.get("tmpfs", [])), "a per-container tmpfs"
    mounted = [str(v).split(":")[1] if isinstance(v, str) else v["target"] for v in app.get("volumes", [])]
    assert not any(replica_dir.startswith(m) for m in mounted), "no volume may share REPLICA_DIR"


def _upstream(conf: str) -> tuple[list[tuple[str, tuple[str, ...]]], str]:
    """The upstream block's server lines as (address, parameters), and the config without them."""
    line = r"^[ \t]*server (?!\{)(\S+)([^;\n]*);"
    servers = [(m.group(1), tuple(m.group(2).split())) for m in re.finditer(line, conf, re.MULTILINE)]
    rest = re.sub(line + r"\n", "", conf, flags=re.MULTILINE)
    return servers, rest


def test_nginx_upstream_behaves_the_same(native: NativeRuntime) -> None:
    native_conf = next(text for path, text in native.nginx_files().items() if path.name == "racelab.conf")

    nginx = compose_service("nginx")
    assert any(str(v).startswith(f"./{TEMPLATE}:/etc/nginx/templates/") for v in nginx["volumes"]), (
        "compose must render the template the native runtime renders"
    )
    template = (ROOT / TEMPLATE).read_text()
    # The image's envsubst fills only variables that are set: every placeholder needs a value.
    placeholders = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)\}", template))
    assert placeholders <= set(compose_env("nginx")), placeholders - set(compose_env("nginx"))
    compose_conf = render(template, compose_env("nginx"))

    native_servers, native_rest = _upstream(native_conf)
    compose_servers, compose_rest = _upstream(compose_conf)
    defaults = StackSettings.from_env({})
    # native: one line per replica; compose: one name that resolves to every replica
    assert [a for a, _ in native_servers] == [f"127.0.0.1:{p}" for p in defaults.app_ports()]
    assert [a for a, _ in compose_servers] == [f"app:{compose_env('app')['BIND'].rsplit(':', 1)[1]}"]
    assert {params for _, params in native_servers} == {params for _, params in compose_servers}
    # a replica that refuses connections is skipped for a while, and a POST is never sent twice
    params = dict(p.split("=", 1) for p in native_servers[0][1])
    assert int(params["max_fails"]) >= 1 and params["fail_timeout"], params
    retries = re.findall(r"^\s*proxy_next_upstream\s+([^;]*);", template, re.MULTILINE)
    assert retries and all("non_idempotent" not in r for r in retries), retries
    # everything else (keepalive, proxy settings, health location) is identical but the listen line
    assert strip_listen(native_rest) == strip_listen(compose_rest)


def test_nginx_listens_for_http2_on_its_own_port(native: NativeRuntime) -> None:
    """Single-packet bursts need h2c on a port of its own, in both runtimes, at the same default."""
    native_conf = next(text for path, text in native.nginx_files().items() if path.name == "racelab.conf")
    compose_conf = render((ROOT / TEMPLATE).read_text(), compose_env("nginx"))
    defaults = StackSettings.from_env({})
    assert re.search(rf"^\s*listen 127\.0\.0\.1:{defaults.nginx_h2_port} http2;", native_conf, re.MULTILINE)
    assert re.search(r"^\s*listen 81 http2;", compose_conf, re.MULTILINE)
    assert defaults.nginx_h2_port == StackSettings.from_env({"NGINX_PORT": str(defaults.nginx_port)}).nginx_h2_port
    assert native.stack.nginx_h2_port != native.stack.nginx_port


def strip_listen(conf: str) -> str:
    return re.sub(r"listen [^;]+;", "listen X;", conf)


def test_only_nginx_and_locust_are_published_on_loopback() -> None:
    defaults = StackSettings.from_env({})
    published = {name: compose_service(name).get("ports", []) for name in SERVICES}
    assert {n for n, ports in published.items() if ports} == {"nginx", "locust"}
    assert published["nginx"] == [
        f"127.0.0.1:{defaults.nginx_port}:{compose_env('nginx')['NGINX_LISTEN']}",
        f"127.0.0.1:{defaults.nginx_h2_port}:{compose_env('nginx')['NGINX_H2_LISTEN']}",
    ]
    assert published["locust"] == [f"127.0.0.1:{defaults.locust_port}:8089"]


def test_postgres_and_redis_run_with_the_same_options(native: NativeRuntime) -> None:
    native_pg = set(options(native.postgres_program(Path("/usr/lib/postgresql/16/bin")), "-c")) - {
        "listen_addresses=127.0.0.1",  # where it listens: runtime-specific
        "unix_socket_directories=",  # no socket file: the native run folder may be closed to Postgres
    }
    command = compose_service("postgres")["command"]
    compose_pg = {command[i + 1] for i, arg in enumerate(command) if arg == "-c"}
    assert compose_pg == native_pg

    native_redis = native.redis_program("redis-server")
    compose_redis = compose_service("redis")["command"]
    for flag in ("--save", "--appendonly", "--appendfsync"):
        assert [compose_redis[compose_redis.index(flag) + 1]] == options(native_redis, flag), flag
    native.env["REDIS_APPENDFSYNC"] = "always"
    always = compose_service("redis", {"REDIS_APPENDFSYNC": "always"})["command"]
    native_always = options(native.redis_program("redis-server"), "--appendfsync")
    assert [always[always.index("--appendfsync") + 1]] == native_always == ["always"]


def test_locust_gets_the_lab_token(native: NativeRuntime) -> None:
    assert native.locust_program().environment["LAB_TOKEN"] == SECRETS["LAB_TOKEN"]
    for name in ("locust", "locust-worker"):
        assert compose_env(name)["LAB_TOKEN"] == SECRETS["LAB_TOKEN"], name
    dockerfile = (ROOT / "loadtests/Dockerfile").read_text()
    assert "COPY loadtests/locustfile.py" in dockerfile and "--extra load" in dockerfile


def test_secrets_are_required_never_defaulted() -> None:
    text = (ROOT / "compose.yaml").read_text()
    for name in envfile.SECRETS:
        uses = re.findall(r"\$\{" + name + r"(:?[-?]?)", text)
        assert uses and set(uses) == {":?"}, f"{name} must be ${{{name}:?...}} everywhere"
        with pytest.raises(KeyError, match=name):
            interpolate(SERVICES, {k: v for k, v in SECRETS.items() if k != name})


def test_every_compose_variable_is_documented() -> None:
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    used = {m[0] for m in _VAR.findall((ROOT / "compose.yaml").read_text())}
    assert used - documented == set()


def test_the_queue_worker_gets_the_same_variables(native: NativeRuntime) -> None:
    from racelab.runtime.brokers import Brokers

    brokers = Brokers(native, _binaries())
    native_worker = brokers.queue_worker_program()
    compose = compose_service("queue-worker")
    assert native_worker.command[1:] == compose["command"][1:] == ["-m", "racelab.messaging.worker"]
    assert set(compose_env("queue-worker")) == set(native_worker.environment)
    # the app and the worker reach RabbitMQ as the same user, in the same virtual host
    for env in (compose_env("queue-worker"), compose_env("app"), native_worker.environment):
        assert env["AMQP_URL"].split("//", 1)[1].split(":", 1)[0] == native.rabbitmq_user
        assert env["AMQP_URL"].endswith("/%2F")
    assert compose_env("rabbitmq")["RABBITMQ_DEFAULT_USER"] == native.rabbitmq_user


def test_memcached_runs_with_the_same_options(native: NativeRuntime) -> None:
    from racelab.runtime.brokers import Brokers

    native_memcached = Brokers(native, _binaries()).memcached_program()
    compose_memcached = compose_service("memcached")["command"]
    for flag in ("-m", "-U"):
        assert [compose_memcached[compose_memcached.index(flag) + 1]] == options(native_memcached, flag), flag


def _binaries() -> Any:
    from racelab.runtime.osdeps import Binaries

    return Binaries(Path("/nonexistent"), "redis-server", "nginx", "memcached", "rabbitmq-server", "epmd")


def test_the_app_logs_in_to_postgres_as_its_own_role_in_both(native: NativeRuntime) -> None:
    from racelab.runtime.services import PG_ADMIN

    postgres = compose_env("postgres")
    assert postgres["POSTGRES_USER"] == PG_ADMIN  # the image's superuser, as initdb's -U natively
    assert postgres["APP_DB_USER"] == native.pg_user != PG_ADMIN
    assert postgres["APP_DB_PASSWORD"] == SECRETS["POSTGRES_PASSWORD"]
    assert postgres["POSTGRES_PASSWORD"] == SECRETS["POSTGRES_ADMIN_PASSWORD"]
    volumes = compose_service("postgres")["volumes"]
    assert "./services/postgres/app-role.sh:/docker-entrypoint-initdb.d/10-app-role.sh:ro" in volumes
    assert compose_env("app")["DATABASE_URL"].startswith(f"postgresql://{native.pg_user}:")


def test_redis_asks_for_the_same_password_in_both(native: NativeRuntime) -> None:
    command = compose_service("redis")["command"]
    assert command[command.index("--requirepass") + 1] == SECRETS["REDIS_PASSWORD"]
    assert str(native.redis_conf()) == native.redis_program("redis-server").command[1]
    password = SECRETS["REDIS_PASSWORD"]
    for env in (compose_env("app"), compose_env("queue-worker")):
        assert env["REDIS_URL"].startswith(f"redis://:{password}@"), env["REDIS_URL"]
    assert native.redis_url.startswith(f"redis://:{password}@")


def test_the_locust_ui_asks_for_the_same_login_in_both(native: NativeRuntime) -> None:
    program = native.locust_program()
    for name in ("LOCUST_USER", "LOCUST_PASSWORD"):
        assert compose_env("locust")[name] == program.environment[name], name
