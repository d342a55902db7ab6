"""``.env``: generated once with fresh secrets, then read by both runtimes.

Precedence: the process environment, then ``.env``, then the defaults in the code.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

SECRETS = (
    "POSTGRES_PASSWORD",
    "POSTGRES_ADMIN_PASSWORD",
    "LAB_TOKEN",
    "REDIS_PASSWORD",
    "RABBITMQ_PASSWORD",
    "LOCUST_PASSWORD",
)
_LINE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$")


def parse(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        match = _LINE.match(line)
        if match:
            key, value = match.groups()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            values[key] = value
    return values


def ensure(root: Path) -> tuple[Path, bool]:
    """Create ``.env`` from ``.env.example`` with generated secrets if it is missing; add the
    secrets an older ``.env`` lacks."""
    path = root / ".env"
    if path.exists():
        text = path.read_text()
        missing = [name for name in SECRETS if name not in parse(text)]
        if missing:
            # A .env from before a secret existed (RABBITMQ_PASSWORD came later): add it, keep the rest.
            with path.open("a") as env:
                env.write("" if text.endswith("\n") or not text else "\n")
                env.write("".join(f"{name}={secrets.token_urlsafe(24)}\n" for name in missing))
        return path, False
    lines = []
    for line in (root / ".env.example").read_text().splitlines():
        match = _LINE.match(line)
        if match and match.group(1) in SECRETS and not line.lstrip().startswith("#"):
            line = f"{match.group(1)}={secrets.token_urlsafe(24)}"
        lines.append(line)
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)
    return path, True


def load(root: Path) -> dict[str, str]:
    """``.env`` values overlaid with the process environment."""
    path = root / ".env"
    values = parse(path.read_text()) if path.exists() else {}
    values.update(os.environ)
    return values
