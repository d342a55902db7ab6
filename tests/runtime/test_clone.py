"""`make up` in a checkout that other users cannot enter (``mktemp -d`` is mode 700), as root: the
services that run as their own users (Postgres, Redis; nginx's workers) keep their files where
they can reach them, the lab answers, and `make down` / `make clean` leave nothing behind.

The checkout is a copy of this working tree (what `git clone` would give, plus what is not yet
committed), with a virtualenv of its own built by its own `make up`, on ports of its own."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import urllib.request
from pathlib import Path

import pytest

from racelab.runtime import paths, procs
from racelab.runtime.supervisor import Supervisor
from tests.conftest import OFFSET, ROOT

pytestmark = [
    pytest.mark.stack,
    pytest.mark.skipif(os.geteuid() != 0, reason="the services switch users only when racelab runs as root"),
]

PORTS = {
    name: base + OFFSET
    for name, base in {
        "NGINX_PORT": 18480,
        "LOCUST_PORT": 18489,
        "POSTGRES_PORT": 15437,
        "REDIS_PORT": 16384,
        "APP_BASE_PORT": 18401,
        "MEMCACHED_PORT": 16388,
        "RABBITMQ_PORT": 15676,
        "RABBITMQ_EPMD_PORT": 14375,
        "RABBITMQ_DIST_PORT": 14376,
    }.items()
}


def copy_working_tree(dest: Path) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        source = ROOT / os.fsdecode(name)
        if source.is_file():  # listed but deleted in the working tree: not part of it
            (dest / os.fsdecode(name)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / os.fsdecode(name))


def make(target: str, checkout: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", target], cwd=checkout, env=env, text=True, capture_output=True, timeout=600
    )


def test_make_up_from_a_folder_closed_to_other_users() -> None:
    top = Path(tempfile.mkdtemp(prefix="racelab-clone-"))  # mode 700, as mktemp -d
    checkout = top / "p"
    copy_working_tree(checkout)
    run = checkout / ".run"
    outside = paths.outside_dir(run)
    env = {k: v for k, v in os.environ.items() if k not in ("RUN_DIR", "RACELAB_ROOT", "VIRTUAL_ENV")}
    env.update(RUNTIME="native", TOPOLOGY="single", LOCUST_WORKERS="0", **{k: str(v) for k, v in PORTS.items()})
    try:
        up = make("up", checkout, env)
        assert up.returncode == 0, up.stdout[-3000:] + up.stderr[-3000:]
        assert (checkout / ".venv/bin/racelab").exists(), "the checkout's own virtualenv"

        ps = make("ps", checkout, env)
        assert ps.returncode == 0, ps.stdout + ps.stderr
        assert f"postgres data  {outside}/postgres/data" in ps.stdout, ps.stdout

        url = f"http://127.0.0.1:{PORTS['NGINX_PORT']}/api/counter/db-atomic/next"
        request = urllib.request.Request(url, method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200 and response.headers["Content-Type"].startswith("application/json")
            assert json.loads(response.read())["value"] >= 1

        supervisor = Supervisor(run)
        groups = [int(p["pid"]) for p in supervisor.info().values()]
        every_process = [int(supervisor.call("getPID")), *(pid for g in groups for pid in procs.members(g))]
        down = make("down", checkout, env)
        assert down.returncode == 0, down.stdout + down.stderr
        assert [pid for pid in every_process if procs.alive(pid)] == []
        assert [port for port in PORTS.values() if procs.port_in_use(port)] == []

        clean = make("clean", checkout, env)
        assert clean.returncode == 0, clean.stdout + clean.stderr
        assert not outside.exists() and not run.exists()
    finally:
        make("clean", checkout, env)
        shutil.rmtree(top, ignore_errors=True)
