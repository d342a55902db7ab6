"""The Kubernetes manifests, rendered once per session by the code behind ``make k8s-render``, from
a copy of the checkout's kustomize tree with made-up secrets (each secret's value is its name in
lower case, as tests/runtime/test_drift.py interpolates compose.yaml), so a user's own
``secrets.env`` is neither read nor touched."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from racelab.deploy import kubernetes
from racelab.runtime import envfile

ROOT = Path(__file__).resolve().parents[2]
SECRETS = {name: name.lower() for name in envfile.SECRETS}
# What the kustomize tree reads from the checkout besides itself.
CHECKOUT_FILES = ("services/postgres/app-role.sh", "services/nginx/racelab.conf.template")

Manifest = dict[str, Any]


def copy_tree(to: Path) -> Path:
    """The kustomize tree and the files it reads, at the same relative paths, with fake secrets."""
    shutil.copytree(
        kubernetes.deploy_dir(ROOT),
        kubernetes.deploy_dir(to),
        ignore=shutil.ignore_patterns("rendered", "secrets.env"),
    )
    for name in CHECKOUT_FILES:
        (to / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, to / name)
    kubernetes.secrets_file(to).write_text("".join(f"{k}={v}\n" for k, v in SECRETS.items()))
    return to


def load(path: Path) -> list[Manifest]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


@pytest.fixture(scope="session")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_tree(tmp_path_factory.mktemp("checkout"))


@pytest.fixture(scope="session")
def rendered(tree: Path) -> dict[str, Path]:
    """Every overlay, rendered to its file as make k8s-render OVERLAY=<name> writes it."""
    return {overlay: kubernetes.render(tree, overlay) for overlay in kubernetes.overlays(tree)}


@pytest.fixture(scope="session")
def manifests(rendered: dict[str, Path]) -> dict[str, list[Manifest]]:
    return {overlay: load(path) for overlay, path in rendered.items()}
