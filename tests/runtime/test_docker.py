"""The Docker path, for real: build the images, bring compose.yaml up, check the counter verdicts
through nginx, restart Postgres and Redis under the app, take it all down with its volume.

The smoke test needs a container engine (Docker, or podman + podman-compose through the
container kit) and is skipped, with the reason, when ``docker info`` does not answer. It runs as
its own compose project on ports of its own, so a lab a user left running is never touched.
The first tests need no engine: they check how the docker runtime is chosen and configured.
"""

from __future__ import annotations

import base64
import json
import secrets
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from racelab import scenarios
from racelab.engine.burst import run
from racelab.engine.client import LabClient
from racelab.runtime import envfile, procs
from racelab.runtime.docker import DockerRuntime
from racelab.runtime.native import NativeRuntime
from racelab.runtime.select import RuntimeChoiceError, choose, docker_available

ROOT = Path(__file__).resolve().parents[2]
PROJECT = "racelab-smoke"
CALLERS = 50
ROUNDS = 3

# --- no engine needed ------------------------------------------------------------------------


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty checkout: RUNTIME and friends come only from its .env and the test."""
    (tmp_path / "services").mkdir()
    (tmp_path / "compose.yaml").write_text((ROOT / "compose.yaml").read_text())
    (tmp_path / ".env.example").write_text((ROOT / ".env.example").read_text())
    monkeypatch.setenv("RACELAB_ROOT", str(tmp_path))
    monkeypatch.setenv("RUN_DIR", str(tmp_path / ".run"))
    for name in ("RUNTIME", "TOPOLOGY", "REPLICAS", "WORKERS", "THREADS", "LOCUST_WORKERS", "COMPOSE_PROJECT_NAME"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_runtime_comes_from_dotenv_then_environment(checkout: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (checkout / ".env").write_text("RUNTIME=docker\n")
    assert isinstance(choose(out=lambda _l: None), DockerRuntime)
    monkeypatch.setenv("RUNTIME", "native")
    assert isinstance(choose(out=lambda _l: None), NativeRuntime)
    monkeypatch.setenv("RUNTIME", "kubernetes")
    with pytest.raises(RuntimeChoiceError, match="RUNTIME=native or RUNTIME=docker"):
        choose(out=lambda _l: None)


def test_auto_choice_keeps_a_running_native_stack(checkout: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With RUNTIME unset, `make down` must stop the native stack `make up` started, engine or not."""
    import json
    import os

    from racelab.runtime import select

    monkeypatch.setattr(select, "docker_available", lambda: True)
    state = checkout / ".run" / "state.json"
    state.parent.mkdir(parents=True)
    state.write_text(json.dumps({"services": {"redis": {"pid": os.getpid(), "marker": "pytest"}}}))
    assert isinstance(choose(out=lambda _l: None), NativeRuntime)
    state.write_text(json.dumps({"services": {"redis": {"pid": 2**22 + 1, "marker": "redis-server"}}}))  # gone
    assert isinstance(choose(out=lambda _l: None), DockerRuntime)


def test_compose_gets_the_knobs_the_settings_resolved(checkout: Path) -> None:
    """TOPOLOGY= and the range checks mean the same for compose as for the native runtime."""
    secrets_given = {name: "x" for name in envfile.SECRETS}
    runtime = DockerRuntime(out=lambda _l: None, env={"TOPOLOGY": "single", **secrets_given})
    runtime.load_config()
    env = runtime.environ()
    assert (env["REPLICAS"], env["WORKERS"], env["THREADS"]) == ("1", "1", "1")
    assert env["LOCUST_WORKERS"] == "2"  # compose always runs a master and workers
    assert not (checkout / ".env").exists(), "secrets given: no .env needed, none written"
    assert runtime.project == "racelab"  # compose.yaml's name:


def test_missing_engine_is_explained(checkout: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(checkout))  # no docker here
    with pytest.raises(procs.StartError, match="RUNTIME=native"):
        DockerRuntime(out=lambda _l: None).down()


# --- the real thing --------------------------------------------------------------------------


@dataclass
class ComposeStack:
    runtime: DockerRuntime
    url: str
    locust_url: str
    token: str
    log: list[str]


def free_port(start: int) -> int:
    """A free port below the ephemeral range (the settings accept 1024-32767)."""
    for port in range(start, start + 200):
        if not procs.port_in_use(port):
            return port
    raise RuntimeError(f"no free port in {start}-{start + 199}")


@pytest.fixture(scope="module")
def compose_stack() -> Iterator[ComposeStack]:
    if not docker_available():
        pytest.skip(
            "no container engine answers `docker info`: install Docker, or put the container kit's bin/ on PATH"
        )
    token = secrets.token_urlsafe(24)
    nginx_port, locust_port = free_port(18480), free_port(18580)
    env = {
        **{name: secrets.token_urlsafe(24) for name in envfile.SECRETS},
        "LAB_TOKEN": token,
        "REPLICAS": "3",
        "WORKERS": "2",
        "THREADS": "4",
        "RACE_WINDOW_MS": "0",
        "TOPOLOGY": "",
        "NGINX_PORT": str(nginx_port),
        "LOCUST_PORT": str(locust_port),
        "LOCUST_WORKERS": "1",
    }
    log: list[str] = []
    runtime = DockerRuntime(out=log.append, project=PROJECT, env=env)
    try:
        try:
            runtime.up()
        except procs.StartError as exc:
            pytest.fail(f"{exc}\n" + "\n".join(log))
        yield ComposeStack(runtime, f"http://127.0.0.1:{nginx_port}", f"http://127.0.0.1:{locust_port}", token, log)
    finally:
        built = {ref for _, service, _, _, ref in runtime.inventory() if service in ("app", "locust", "locust-worker")}
        runtime.down()
        assert not runtime.containers(all_=True), "down must remove every container"
        volumes = runtime.docker("volume", "ls", "-q", "--filter", f"label=com.docker.compose.project={PROJECT}")
        assert not volumes.stdout.strip(), f"down -v must remove the volume: {volumes.stdout}"
        if built:  # this project's image tags; the layers stay shared with the lab's images
            runtime.docker("image", "rm", *built)


def get_json(url: str) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


@pytest.mark.compose
@pytest.mark.parametrize("key", [s.key for s in scenarios.all_strategies()])
def test_every_strategy_shows_its_expected_verdict_through_nginx(compose_stack: ComposeStack, key: str) -> None:
    """Every scenario runs on the compose path too, judged like on the native one: the expected
    verdict comes from the registry for the scope the lab declares, never from this file."""
    experiment = run(LabClient(compose_stack.url, compose_stack.token), scenarios.get(key), CALLERS, ROUNDS)
    j = experiment.judgement
    summary = f"{key}: {j.verdict} (expected {j.expected} under {j.scope}; {j.reason}); anomalies={j.check.anomalies}"
    assert j.scope == "replicas", summary
    assert j.matches, summary
    assert (j.check.total > 0) == (j.expected == "fails"), summary


@pytest.mark.compose
def test_nginx_reaches_every_replica_and_only_two_ports_are_published(compose_stack: ComposeStack) -> None:
    replicas = {get_json(f"{compose_stack.url}/healthz")[1]["served_by"]["replica"] for _ in range(9)}
    assert len(replicas) == 3, replicas  # round robin over the three containers, each named apart
    runtime = compose_stack.runtime
    published = {}
    for service in runtime.services():
        ports = runtime.docker(
            "ps",
            "--filter",
            f"label=com.docker.compose.project={PROJECT}",
            "--filter",
            f"label=com.docker.compose.service={service}",
            "--format",
            "{{.Ports}}",
        )
        published[service] = ports.stdout.strip()
    assert {s for s, ports in published.items() if ports} == {"nginx", "locust"}, published
    assert all(p.startswith("127.0.0.1:") for p in published.values() if p), published
    env = runtime.settings_env()
    login = base64.b64encode(f"{env.get('LOCUST_USER') or 'racelab'}:{env['LOCUST_PASSWORD']}".encode()).decode()
    with pytest.raises(urllib.error.HTTPError, match="401"):
        urllib.request.urlopen(compose_stack.locust_url + "/", timeout=10)  # the UI asks for its password
    request = urllib.request.Request(compose_stack.locust_url + "/", headers={"Authorization": f"Basic {login}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200


@pytest.mark.compose
def test_app_survives_a_restart_of_postgres_and_redis(compose_stack: ComposeStack) -> None:
    runtime = compose_stack.runtime
    backends = runtime.containers("postgres") + runtime.containers("redis")
    assert len(backends) == 2, backends
    restarted = subprocess.run(
        ["docker", "restart", "-t", "5", *backends], capture_output=True, text=True, env=runtime.environ(), timeout=120
    )
    assert restarted.returncode == 0, restarted.stderr
    deadline = time.monotonic() + 90
    seen: set[str] = set()
    while time.monotonic() < deadline and len(seen) < 3:  # every replica healthy again
        status, body = get_json(f"{compose_stack.url}/healthz")
        if status == 200:
            seen.add(body["served_by"]["replica"])
        else:
            time.sleep(0.5)
    assert len(seen) == 3, f"replicas healthy after the restart: {seen}"
    experiment = run(LabClient(compose_stack.url, compose_stack.token), scenarios.get("counter/db-atomic"), CALLERS, 1)
    j = experiment.judgement
    assert j.verdict == "holds" and j.check.acknowledged == CALLERS, j.reason


@pytest.mark.compose
def test_the_app_role_is_not_a_superuser_and_redis_wants_its_password(compose_stack: ComposeStack) -> None:
    runtime = compose_stack.runtime
    (app,) = runtime.containers("app")[:1]
    probe = (
        "import os, psycopg, redis; "
        "c = psycopg.connect(os.environ['DATABASE_URL']); "
        "print(c.execute('SELECT rolsuper FROM pg_roles WHERE rolname = current_user').fetchone()[0]); "
        "u = os.environ['REDIS_URL']; "
        "print(redis.Redis.from_url(u).ping()); "
        "r = redis.Redis.from_url(u.replace(u.split('@')[0], 'redis://'))\n"
        "try:\n r.ping(); print('open')\nexcept redis.exceptions.AuthenticationError: print('refused')"
    )
    result = runtime.docker("exec", app, "python", "-c", probe)
    assert result.stdout.split() == ["False", "True", "refused"], result.stdout + result.stderr
