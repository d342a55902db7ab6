"""Which runtime runs the lab: ``RUNTIME=native|docker``, else docker when an engine answers.

RUNTIME comes from the process environment, then ``.env``. Left empty, a native stack that is
running keeps the native runtime (so ``make down`` stops what ``make up`` started, even once an
engine appears); otherwise docker when ``docker info`` succeeds, else native.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from racelab.runtime.native import NativeRuntime

RUNTIMES = ("native", "docker")


class Runtime(Protocol):
    """What the CLI asks of a runtime; NativeRuntime and DockerRuntime both answer it."""

    name: str

    def up(self) -> None: ...

    def down(self) -> None: ...

    def status(self) -> int: ...

    def logs_cmd(self, service: str | None, follow: bool, lines: int) -> None: ...


class RuntimeChoiceError(ValueError):
    pass


def docker_available() -> bool:
    if not shutil.which("docker"):
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def wanted_runtime() -> str:
    """RUNTIME from the environment, else from .env; '' when unset."""
    from racelab.runtime import envfile
    from racelab.runtime.paths import project_root

    wanted = envfile.load(project_root()).get("RUNTIME", "").strip().lower()
    if wanted not in ("", *RUNTIMES):
        raise RuntimeChoiceError(f"RUNTIME={wanted!r}: use RUNTIME=native or RUNTIME=docker (or leave it empty)")
    return wanted


def native_running(native: NativeRuntime) -> bool:
    """The native runtime's supervisord answers for its run folder (or an older racelab's stack runs)."""
    return native.running()


def choose(out: Callable[[str], None] = print) -> Runtime:
    from racelab.runtime.native import NativeRuntime

    wanted = wanted_runtime()
    if not wanted:
        native = NativeRuntime(out)
        if native_running(native):
            return native  # keep talking to the stack that runs
        wanted = "docker" if docker_available() else "native"
    if wanted == "docker":
        try:
            from racelab.runtime.docker import DockerRuntime
        except ImportError:
            raise RuntimeChoiceError(
                "the docker runtime is not available in this version; use RUNTIME=native"
            ) from None
        return DockerRuntime(out)
    return NativeRuntime(out)
