"""Which runtime runs the lab: ``RUNTIME=native|docker``, else docker when an engine answers."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable


class RuntimeChoiceError(ValueError):
    pass


def docker_available() -> bool:
    if not shutil.which("docker"):
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def choose(out: Callable[[str], None] = print):  # type: ignore[no-untyped-def]
    from racelab.runtime.native import NativeRuntime

    wanted = os.environ.get("RUNTIME", "").strip().lower()
    if wanted not in ("", "native", "docker"):
        raise RuntimeChoiceError(f"RUNTIME={wanted!r}: use RUNTIME=native or RUNTIME=docker")
    if wanted == "docker" or (not wanted and docker_available()):
        try:
            from racelab.runtime.docker import DockerRuntime
        except ImportError:
            raise RuntimeChoiceError("the docker runtime is not available in this version; use RUNTIME=native") from None
        return DockerRuntime(out)
    return NativeRuntime(out)
