"""The docker runtime: the lab's topology from ``compose.yaml``, on Docker or a compatible engine.

It drives ``docker compose`` and nothing else, so what it starts is exactly what a user gets
from ``docker compose up``. It brings the stack up in stages (Postgres, Redis, memcached and
RabbitMQ, then the app replicas and the queue worker, then nginx and Locust), waiting for each
stage's healthchecks: Docker's ``--wait`` does that itself; engines that do not schedule
healthchecks (podman 4 without systemd, as in the container kit) get them run by
``podman-wait-healthy`` when it is on PATH. The app retries its connections anyway, so the stages
make start-up quiet, not correct.

Compose's own output goes to ``<run dir>/logs/compose.log`` (``compose-<project>.log`` for another
project, as the tests use); a failure shows its last lines.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Mapping
from functools import partial

from racelab.runtime import envfile, procs
from racelab.runtime.native import http_ok
from racelab.runtime.paths import project_root, run_dir
from racelab.runtime.procs import StartError
from racelab.settings import StackSettings
from racelab.topology import custom_topology

# Start-up order: each stage waits for the previous one's healthchecks.
STAGES: tuple[tuple[str, ...], ...] = (
    ("postgres", "redis", "memcached", "rabbitmq"),
    ("app", "queue-worker"),
    (),  # everything left
)
HEALTH_TIMEOUT = 180  # seconds per stage; the first start of Postgres runs initdb
READY_TIMEOUT = 120  # seconds for nginx and the Locust UI to answer once everything started
BUILD_TIMEOUT = 1800
UP_TIMEOUT = 600  # one `compose up` stage, healthchecks included
# compose.yaml's `${LOCUST_WORKERS:-2}`: compose always runs a master and workers, where the
# native runtime's default (0) is one Locust process.
COMPOSE_LOCUST_WORKERS = 2


class DockerRuntime:
    name = "docker"

    def __init__(
        self, out: Callable[[str], None] = print, *, project: str | None = None, env: Mapping[str, str] | None = None
    ) -> None:
        """``project`` overrides the compose project name (tests use their own); ``env`` is laid
        over the process environment for compose and for the settings (ports, secrets)."""
        self.out = out
        self.root = project_root()
        self.compose_file = self.root / "compose.yaml"
        # One log per project: a test's stack (its own project) never writes into the lab's log.
        self.log_path = run_dir() / "logs" / (f"compose-{project}.log" if project else "compose.log")
        self.overrides = dict(env or {})
        self._project = project
        self.stack = StackSettings()
        self.loaded = False

    # --- configuration ---------------------------------------------------------------------

    def environ(self) -> dict[str, str]:
        """What compose runs with: the process environment, the overrides and, once loaded, the
        knobs as StackSettings resolved them. Compose reads ``.env`` for whatever is not set here."""
        return {**os.environ, **self.overrides, **(self.knobs() if self.loaded else {})}

    def knobs(self) -> dict[str, str]:
        """Topology and ports, handed to compose explicitly: TOPOLOGY= and the range checks then
        mean the same in both runtimes (plain `docker compose` reads only REPLICAS and co)."""
        s = self.stack
        return {
            "REPLICAS": str(s.replicas),
            "WORKERS": str(s.workers),
            "THREADS": str(s.threads),
            "SERVER": s.server,
            "RACE_WINDOW_MS": str(s.race_window_ms),
            "APP_SCHEDULING": s.app_scheduling,
            "NGINX_PORT": str(s.nginx_port),
            "LOCUST_PORT": str(s.locust_port),
            "LOCUST_WORKERS": str(s.locust_workers or COMPOSE_LOCUST_WORKERS),
        }

    def settings_env(self) -> dict[str, str]:
        """``.env`` overlaid with the environment: the values compose will interpolate."""
        return {**envfile.load(self.root), **self.overrides}

    def load_config(self) -> None:
        env = self.settings_env()
        if not all(env.get(name) for name in envfile.SECRETS):
            path, created = envfile.ensure(self.root)
            if created:
                self.out(f"  created {path} with generated secrets (git-ignored; edit it, not .env.example)")
            env = self.settings_env()
        self.stack = StackSettings.from_env(env)  # the same validation and messages as native
        self.loaded = True

    def load_quietly(self) -> None:
        """For down, status and logs: ports from .env and the environment, nothing created. Compose
        refuses to interpolate compose.yaml without the secrets, which these commands never use."""
        env = self.settings_env()
        self.stack = StackSettings.from_env(env)
        self.loaded = True
        for name in envfile.SECRETS:
            if not env.get(name):
                self.overrides[name] = "unused-by-this-command"

    @property
    def project(self) -> str:
        """The compose project: ``-p``, else COMPOSE_PROJECT_NAME, else compose.yaml's ``name:``."""
        if self._project:
            return self._project
        from_env = self.settings_env().get("COMPOSE_PROJECT_NAME", "").strip()
        if from_env:
            return from_env
        match = re.search(r"^name:\s*[\"']?([A-Za-z0-9_.-]+)", self.compose_file.read_text(), re.MULTILINE)
        return match.group(1) if match else self.root.name.lower()

    @property
    def lab_url(self) -> str:
        return f"http://127.0.0.1:{self.stack.nginx_port}"

    def front_doors(self) -> list[tuple[str, str]]:
        """What must answer for the lab to be up (the Locust UI's one route that needs no login)."""
        return [(f"{self.lab_url}/healthz", "lab API (nginx)"), (f"{self.locust_url}/racelab/health", "Locust UI")]

    @property
    def locust_url(self) -> str:
        return f"http://127.0.0.1:{self.stack.locust_port}"

    # --- engine ----------------------------------------------------------------------------

    def compose_argv(self, *args: str) -> list[str]:
        # -p always: compose and the label filters below then agree on the project, wherever
        # its name came from.
        return ["docker", "compose", "-f", str(self.compose_file), "-p", self.project, *args]

    def compose(self, *args: str, timeout: float | None = None, what: str | None = None) -> None:
        """Run one compose command, its output appended to the compose log; raise on failure."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        argv = self.compose_argv(*args)
        with open(self.log_path, "ab") as log:
            log.write(f"\n$ {' '.join(argv)}\n".encode())
            log.flush()
            try:
                result = subprocess.run(
                    argv,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    cwd=self.root,
                    env=self.environ(),
                    timeout=timeout,
                )
            except subprocess.TimeoutExpired:
                raise StartError(f"{what or 'docker compose ' + args[0]} took longer than {timeout:.0f}s") from None
        if result.returncode != 0:
            raise StartError(
                f"{what or 'docker compose ' + args[0]} failed (exit {result.returncode}). "
                f"Last lines of {self.log_path}:\n{procs.tail(self.log_path)}"
            )

    def docker(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["docker", *args], capture_output=True, text=True, cwd=self.root, env=self.environ(), timeout=timeout
        )

    def check_engine(self) -> None:
        if not shutil.which("docker"):
            raise StartError("the docker runtime needs the `docker` command; install Docker, or use RUNTIME=native")
        try:
            result = self.docker("info", timeout=30)
        except subprocess.TimeoutExpired:
            raise StartError(
                "`docker info` did not answer in 30s: is the engine stuck? Or use RUNTIME=native"
            ) from None
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).strip().splitlines()[-1:] or [""]
            raise StartError(
                f"no container engine answers `docker info` ({detail[0]}). Start Docker, or use RUNTIME=native"
            )

    def services(self) -> list[str]:
        result = subprocess.run(
            self.compose_argv("config", "--services"),
            capture_output=True,
            text=True,
            cwd=self.root,
            env=self.environ(),
            timeout=60,
        )
        if result.returncode != 0:
            raise StartError(f"compose.yaml does not load: {(result.stderr or result.stdout).strip()[-500:]}")
        names = [line.strip() for line in result.stdout.splitlines()]
        return [name for name in names if re.fullmatch(r"[a-z0-9][a-z0-9_.-]*", name)]  # not warnings

    def containers(self, service: str | None = None, number: int | None = None, all_: bool = False) -> list[str]:
        """Names of this project's containers, found by the labels compose puts on them."""
        argv = ["ps", "--filter", f"label=com.docker.compose.project={self.project}", "--format", "{{.Names}}"]
        if service:
            argv[1:1] = ["--filter", f"label=com.docker.compose.service={service}"]
        if number is not None:
            argv[1:1] = ["--filter", f"label=com.docker.compose.container-number={number}"]
        if all_:
            argv.insert(1, "-a")
        result = self.docker(*argv)
        if result.returncode != 0:
            return []
        return sorted(line.strip() for line in result.stdout.splitlines() if line.strip())

    def wait_healthy(self, stage: str) -> None:
        """Docker's ``--wait`` has waited already; without a healthcheck scheduler, run them here."""
        helper = shutil.which("podman-wait-healthy")
        if not helper:
            return
        names = self.containers()
        if not names:
            return
        pattern = "^(" + "|".join(re.escape(n) for n in names) + ")$"
        started = time.monotonic()
        result = subprocess.run(
            [helper, str(HEALTH_TIMEOUT), pattern], capture_output=True, text=True, env=self.environ()
        )
        if result.returncode != 0:
            raise StartError(
                f"{stage} did not become healthy in {HEALTH_TIMEOUT}s:\n{self.ps_table()}\n"
                f"See the logs: make logs S=<service>"
            )
        self.out(f"  {stage:<16} healthy ({time.monotonic() - started:.1f}s)")

    def ps_table(self) -> str:
        result = self.docker(
            "ps",
            "-a",
            "--filter",
            f"label=com.docker.compose.project={self.project}",
            "--format",
            "table {{.Names}}\t{{.Status}}\t{{.Ports}}",
        )
        return result.stdout.rstrip()

    def inventory(self) -> list[tuple[str, str, str, str, str]]:
        """(name, service, number, image id, image reference) of every container of this project,
        newest first (a container may depend on older ones, never on newer ones)."""
        names = self.containers(all_=True)
        if not names:
            return []
        labels = ["com.docker.compose.service", "com.docker.compose.container-number"]
        fmt = "|".join(
            [
                "{{.Created}}",
                "{{.Name}}",
                *(f'{{{{index .Config.Labels "{k}"}}}}' for k in labels),
                "{{.Image}}",
                "{{.Config.Image}}",
            ]
        )
        result = self.docker("inspect", "--format", fmt, *names)
        rows = sorted((line.split("|") for line in result.stdout.splitlines() if line.count("|") == 5), reverse=True)
        return [(name.lstrip("/"), service, number, image, ref) for _, name, service, number, image, ref in rows]

    def wanted_replicas(self) -> dict[str, int]:
        """How many containers each scaled service should have."""
        knobs = self.knobs()
        return {"app": int(knobs["REPLICAS"]), "locust-worker": int(knobs["LOCUST_WORKERS"])}

    def prune(self) -> None:
        """Remove what the staged start must create afresh, with every later stage.

        - containers whose image was rebuilt: Docker Compose recreates them, but podman-compose
          only compares the service's configuration and would go on running the old code;
        - replicas beyond REPLICAS (or LOCUST_WORKERS): Docker Compose scales down by itself,
          podman-compose leaves them running, and nginx would still send them requests.
        Every later stage goes too: nginx resolves `app` only when it starts, so it must start
        after the replicas it is to reach. Newest first, as podman links a container to its
        dependencies and refuses to remove a dependency before its dependents.
        """
        rows = self.inventory()
        if not rows:
            return
        current: dict[str, str] = {}
        for ref in {r[4] for r in rows}:
            found = self.docker("image", "inspect", "--format", "{{.Id}}", ref)
            current[ref] = _digest(found.stdout) if found.returncode == 0 else ""
        wanted = self.wanted_replicas()
        reasons = {}
        for name, service, number, image, ref in rows:
            if current[ref] and current[ref] != _digest(image):
                reasons[name] = (service, "image rebuilt")
            elif service in wanted and number.isdigit() and int(number) > wanted[service]:
                reasons[name] = (service, "scaled down")
        if not reasons:
            return
        first = min(stage_of(service) for service, _ in reasons.values())
        doomed = [r[0] for r in rows if stage_of(r[1]) >= first]
        why = ", ".join(sorted({f"{service} ({reason})" for service, reason in reasons.values()}))
        self.out(f"  {'replacing':<16} {why} and what starts after it")
        self.docker("stop", "-t", "5", *doomed, timeout=120)
        for name in doomed:
            result = self.docker("rm", "-f", name, timeout=60)
            if result.returncode != 0:
                raise StartError(f"could not remove {name}: {result.stderr.strip()[-300:]}. Try: make down")

    def check_ports(self) -> None:
        """A port taken by something else fails late and obscurely inside compose: say it first."""
        if self.containers():
            return  # our own stack holds them
        for port, var in ((self.stack.nginx_port, "NGINX_PORT"), (self.stack.locust_port, "LOCUST_PORT")):
            if procs.port_in_use(port):
                raise StartError(
                    f"port {port} on 127.0.0.1 is already in use by another program. "
                    f"Stop that program, or choose another port: {var}=<port> make up"
                )

    # --- commands --------------------------------------------------------------------------

    def up(self) -> None:
        self.load_config()
        self.check_engine()
        s = self.stack
        topology = custom_topology(s.replicas, s.workers, s.threads, s.server)
        self.out(
            f"racelab docker runtime: {topology.name} topology ({s.replicas} replicas x {s.workers} workers x "
            f"{s.threads} threads, {s.server} server), compose project {self.project}, "
            f"compose output in {self.log_path}"
        )
        self.check_ports()
        started = time.monotonic()
        # One service at a time: podman-compose otherwise builds once per replica, in parallel,
        # and two services built from one Dockerfile (locust, locust-worker) share the cache
        # only when built one after the other.
        for service in self.services():
            self.compose("build", service, timeout=BUILD_TIMEOUT, what=f"building the {service} image")
        self.out(f"  {'images':<16} built ({time.monotonic() - started:.1f}s)")
        self.prune()
        for stage in STAGES:
            t0 = time.monotonic()
            label = " ".join(stage) or "nginx, locust"
            # --wait: Docker waits for the healthchecks (other engines ignore it; see wait_healthy).
            # No --remove-orphans: podman-compose then tears down the whole project (prune() does
            # the scaling down instead).
            self.compose("up", "-d", "--wait", *stage, timeout=UP_TIMEOUT, what=f"starting {label}")
            self.out(f"  {label:<16} started ({time.monotonic() - t0:.1f}s)")
            self.wait_healthy(label)
        for url, what in (
            (f"{self.lab_url}/healthz", "lab API (nginx)"),
            (f"{self.locust_url}/racelab/health", "Locust UI"),
        ):
            if not procs.wait_until(partial(http_ok, url), READY_TIMEOUT, interval=0.5):
                raise StartError(
                    f"the {what} at {url} did not answer in {READY_TIMEOUT}s:\n{self.ps_table()}\n"
                    f"See the logs: make logs S=nginx (or app, locust)"
                )
        self.out(
            f"\nThe lab is up ({time.monotonic() - started:.0f}s).\n"
            f"  lab API (nginx) {self.lab_url}\n"
            f"  Locust web UI   {self.locust_url}\n"
            f"Try:  curl -s -X POST {self.lab_url}/api/counter/db-thread-lock/next\n"
            f"Stop: make down"
        )

    def down(self) -> None:
        self.check_engine()
        self.load_quietly()
        running = self.containers(all_=True)
        # -v: the lab keeps no data worth keeping; the next up starts from an empty database.
        # Run even with no containers: it removes a network or volume an interrupted run left.
        self.compose("down", "-v", "--remove-orphans", "-t", "5", what="docker compose down")
        if not running:
            self.out(f"nothing to stop: compose project {self.project} has no containers")
            return
        left = self.containers(all_=True)
        if left:
            raise StartError(f"these containers are still there after down: {', '.join(left)}")
        self.out(f"the lab is down ({len(running)} containers, their network and volume removed)")

    def status(self) -> int:
        self.check_engine()
        self.load_quietly()
        if not self.containers(all_=True):
            self.out(f"the docker runtime is not running: compose project {self.project} has no containers (make up)")
            return 1
        self.out(self.ps_table())
        down = 0
        for url, what in (
            (f"{self.lab_url}/healthz", "lab API (nginx)"),
            (f"{self.locust_url}/racelab/health", "Locust UI"),
        ):
            ok = http_ok(url)
            down += not ok
            self.out(f"{what:<16} {url:<32} {'up' if ok else 'DOWN'}")
        return 1 if down else 0

    def logs_cmd(self, service: str | None, follow: bool, lines: int) -> None:
        """``make logs`` / ``make logs S=app`` (every replica) / ``make logs S=app-2`` (one)."""
        self.load_quietly()
        tail = ["--tail", str(lines), *(["-f"] if follow else [])]
        if service:
            replica = re.fullmatch(r"(.+?)[-_](\d+)", service)
            if replica and not self.containers(service):
                names = self.containers(replica.group(1), int(replica.group(2)), all_=True)
                if not names:
                    self.out(f"no container for {service} in project {self.project} (make ps lists them)")
                    return
                os.execvpe("docker", ["docker", "logs", *tail, names[0]], self.environ())
        argv = self.compose_argv("logs", *tail, *([service] if service else []))
        os.execvpe(argv[0], argv, self.environ())


def stage_of(service: str) -> int:
    """The index of the start-up stage a service belongs to (the last stage takes the rest)."""
    for i, stage in enumerate(STAGES):
        if service in stage:
            return i
    return len(STAGES) - 1


def _digest(image_id: str) -> str:
    """Docker says ``sha256:<hex>``, podman ``<hex>``."""
    return image_id.strip().removeprefix("sha256:")
