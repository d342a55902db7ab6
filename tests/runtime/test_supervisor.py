"""supervisord's configuration as the native runtime writes it (no process started but one
`sleep` for the reaper): bounded logs for every program, a socket path that fits, values that
supervisord would mangle refused with a clear message."""

from __future__ import annotations

import configparser
import os
import re
import subprocess
import time
from pathlib import Path

import pytest

from racelab.runtime import paths, procs, reaper
from racelab.runtime.native import NativeRuntime
from racelab.runtime.osdeps import Binaries
from racelab.runtime.procs import StartError
from racelab.runtime.supervisor import LOG_BACKUPS, LOG_MAX_MB, REAPER, Program, render
from racelab.settings import StackSettings


def sections(run: Path, programs: list[Program]) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(inline_comment_prefixes=(";", "#"), strict=False)
    parser.read_string(render(run, programs))
    return parser


def test_every_service_log_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUN_DIR", str(tmp_path))
    runtime = NativeRuntime(out=lambda _line: None)
    runtime.env = {"POSTGRES_PASSWORD": "pw", "LAB_TOKEN": "tok"}
    runtime.stack = StackSettings.from_env({})
    binaries = Binaries(
        Path("/usr/lib/postgresql/15/bin"),
        "/usr/bin/redis-server",
        "/usr/sbin/nginx",
        "/usr/bin/memcached",
        "/usr/lib/rabbitmq/bin/rabbitmq-server",
        "/usr/bin/epmd",
    )
    programs = [svc.program for svc in runtime.services(binaries)]
    conf = sections(tmp_path, programs)
    names = [s.split(":", 1)[1] for s in conf.sections() if s.startswith("program:")]
    assert names == [
        "postgres",
        "redis",
        "memcached",
        "epmd",
        "rabbitmq",
        "app-1",
        "app-2",
        "app-3",
        "queue-worker",
        "nginx",
        "locust",
    ]
    for name in names:
        section = conf[f"program:{name}"]
        assert section["stdout_logfile"] == f"{tmp_path}/logs/{name}.log"
        assert section["stdout_logfile_maxbytes"] == f"{LOG_MAX_MB}MB"
        assert section["stdout_logfile_backups"] == str(LOG_BACKUPS)
        assert section["redirect_stderr"] == "true", "stderr goes to the same bounded log"
        assert section["autorestart"] == "true", "restarted when it dies, as compose's unless-stopped"
    assert conf[f"eventlistener:{REAPER}"]["stderr_logfile_maxbytes"]
    assert conf["supervisord"]["logfile_maxbytes"]
    assert conf["program:postgres"]["stopsignal"] == "INT"  # fast shutdown
    assert {conf[f"program:{n}"]["stopsignal"] for n in names if n.startswith("app-")} == {"TERM"}
    # nginx writes both of its logs to supervisord (nothing of its own grows without bound)
    main_conf = next(text for path, text in runtime.nginx_files().items() if path.name == "nginx.conf")
    assert re.findall(r"^\s*(access_log|error_log) (\S+)", main_conf, re.MULTILINE) == [
        ("error_log", "stderr"),
        ("access_log", "/dev/stdout"),
    ]


def test_the_socket_path_fits_a_unix_socket() -> None:
    short = Path("/work/x/.run")
    assert paths.socket_path(short) == short / "supervisor.sock"
    deep = Path("/srv") / ("d" * 60) / ("e" * 40) / ".run"
    fallback = paths.socket_path(deep)
    assert fallback.parent.parent == Path("/tmp")  # noqa: S108 - where paths.socket_path falls back
    assert len(os.fsencode(fallback)) <= paths.MAX_SOCKET_PATH
    assert fallback == paths.socket_path(deep), "the same run folder always finds the same socket"
    assert fallback != paths.socket_path(deep.parent / "other"), "two run folders never share one"


def test_values_supervisord_would_mangle_are_refused(tmp_path: Path) -> None:
    program = Program("app-1", ["gunicorn"], tmp_path, environment={"DATABASE_URL": 'postgresql://u:pa"ss@h/db'})
    with pytest.raises(StartError, match="DATABASE_URL for app-1 holds a quote"):
        render(tmp_path, [program])
    percent = Program("app-1", ["gunicorn"], tmp_path, environment={"LAB_TOKEN": "50%off"})
    assert sections(tmp_path, [percent])["program:app-1"]["environment"] == 'LAB_TOKEN="50%%off"'


def test_the_reaper_kills_what_a_dead_program_left() -> None:
    # A process group whose leader is gone: its forked child still runs.
    leader = subprocess.Popen(["sh", "-c", "sleep 30 & echo $!"], stdout=subprocess.PIPE, start_new_session=True)
    assert leader.stdout is not None
    orphan = int(leader.stdout.readline())
    leader.wait()
    assert procs.alive(orphan)
    assert reaper.reap(f"processname:app-1 groupname:app-1 from_state:RUNNING expected:0 pid:{leader.pid}")
    deadline = time.monotonic() + 5
    while procs.alive(orphan) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not procs.alive(orphan)
