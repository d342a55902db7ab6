"""The rendered Kubernetes manifests: valid against the Kubernetes schemas, reachable from outside
the cluster only through nginx and the Locust UI, non-root everywhere, secrets only in the Secret."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from racelab.deploy import kubernetes
from racelab.runtime import envfile
from tests.deploy.conftest import ROOT, SECRETS, Manifest

# The oldest Kubernetes the manifests are checked against, and the newest the schemas know.
KUBERNETES_VERSIONS = ("1.30", "1.37")
WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicaSet", "Pod"}
# Objects that publish something outside the cluster whatever their spec says.
INGRESS_KINDS = {"Ingress", "Gateway", "HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute", "UDPRoute"}
EXPOSED = {"default": {"nginx", "locust-ui"}, "dev": set()}


def pod_specs(docs: list[Manifest]) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d["spec"]["template"]["spec"] for d in docs if d["kind"] in WORKLOADS}


def containers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [*spec.get("initContainers", []), *spec["containers"]]


def test_every_overlay_is_rendered(rendered: dict[str, Path]) -> None:
    """The overlays the README names are the ones rendered here, and nothing is left out."""
    assert set(rendered) == set(kubernetes.overlays(ROOT)) == set(EXPOSED)


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_manifest_validates_against_the_kubernetes_schemas(
    rendered: dict[str, Path], manifests: dict[str, list[Manifest]], version: str
) -> None:
    # --strict: an unknown field (a typo) is an error, not silently dropped by the API server.
    result = subprocess.run(
        [str(Path(sys.executable).parent / "kubernetes-validate"), "--strict", "-k", version]
        + [str(path) for path in rendered.values()],
        capture_output=True,
        text=True,
        check=False,
    )
    passed = [line for line in result.stdout.splitlines() if line.startswith("INFO") and " passed " in line]
    others = [line for line in result.stdout.splitlines() if line not in passed]
    # A kind without a schema is only a warning for kubernetes-validate: not here.
    assert result.returncode == 0 and not others, "\n".join(others) + result.stderr
    assert len(passed) == sum(len(docs) for docs in manifests.values())


@pytest.mark.parametrize("overlay", sorted(EXPOSED))
def test_only_nginx_and_the_locust_ui_are_reachable_from_outside(
    manifests: dict[str, list[Manifest]], overlay: str
) -> None:
    docs = manifests[overlay]
    assert not [d["metadata"]["name"] for d in docs if d["kind"] in INGRESS_KINDS]
    services = {d["metadata"]["name"]: d["spec"] for d in docs if d["kind"] == "Service"}
    outside = {
        name
        for name, spec in services.items()
        if spec.get("type", "ClusterIP") in {"NodePort", "LoadBalancer"} or spec.get("externalIPs")
    }
    assert outside == EXPOSED[overlay]
    for name in outside:
        assert not any(p.get("nodePort") for p in services[name]["ports"]), name
    if "locust-ui" in outside:
        # the web UI only: the workers' port (5557) stays on the internal Service `locust`
        assert [p["targetPort"] for p in services["locust-ui"]["ports"]] == ["web"]
    for name, spec in pod_specs(docs).items():
        assert not spec.get("hostNetwork") and not spec.get("hostPID"), name
        for container in containers(spec):
            assert not any("hostPort" in p for p in container.get("ports", [])), (name, container["name"])


def test_the_app_service_is_headless_and_nginx_resolves_it(manifests: dict[str, list[Manifest]]) -> None:
    """nginx must see every app pod (one upstream server each), as compose's DNS gives it."""
    for docs in manifests.values():
        app = next(d for d in docs if d["kind"] == "Service" and d["metadata"]["name"] == "app")
        assert app["spec"]["clusterIP"] == "None"
        nginx = pod_specs(docs)["nginx"]["containers"][0]
        upstream = next(e["value"] for e in nginx["env"] if e["name"] == "UPSTREAM_SERVERS")
        assert upstream.split()[1] == f"app:{app['spec']['ports'][0]['port']}"


@pytest.mark.parametrize("overlay", sorted(EXPOSED))
def test_every_pod_runs_as_pod_security_restricted_asks(manifests: dict[str, list[Manifest]], overlay: str) -> None:
    docs = manifests[overlay]
    namespace = next(d for d in docs if d["kind"] == "Namespace")
    assert namespace["metadata"]["name"] == kubernetes.NAMESPACE
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    for name, spec in pod_specs(docs).items():
        context = spec["securityContext"]
        assert context["runAsNonRoot"] is True and context["runAsUser"] > 0, name
        assert context["seccompProfile"]["type"] == "RuntimeDefault", name
        # docker-link variables would add to the environment compose gives (and Locust reads LOCUST_*)
        assert spec["enableServiceLinks"] is False, name
        for container in containers(spec):
            where = (name, container["name"])
            own = container["securityContext"]
            assert own["allowPrivilegeEscalation"] is False and own["capabilities"]["drop"] == ["ALL"], where
            assert "add" not in own["capabilities"] and not own.get("privileged"), where
            assert own.get("runAsUser", 1) > 0, where
            for bound in ("requests", "limits"):
                assert set(container["resources"][bound]) >= {"cpu", "memory"}, (where, bound)


def test_secrets_come_only_from_the_secret(manifests: dict[str, list[Manifest]]) -> None:
    for docs in manifests.values():
        secret = next(d for d in docs if d["kind"] == "Secret")
        assert set(secret["data"]) == set(envfile.SECRETS)
        # no secret value written anywhere else (URLs are built in the pod, from $(NAME))
        text = repr([d for d in docs if d["kind"] != "Secret"])
        assert not [name for name, value in SECRETS.items() if value in text]


def test_the_secret_file_and_the_renderings_are_never_committed(tree: Path) -> None:
    for path in (kubernetes.secrets_file(ROOT), kubernetes.rendered_file(ROOT, "default")):
        ignored = subprocess.run(["git", "-C", str(ROOT), "check-ignore", "-q", str(path)], check=False)
        assert ignored.returncode == 0, f"{path} must be git-ignored"
    rendering = kubernetes.rendered_file(tree, "default")  # it holds the Secret
    assert rendering.stat().st_mode & 0o077 == 0, f"{rendering} must be readable by its owner only"


def test_k8s_up_waits_for_every_workload(manifests: dict[str, list[Manifest]]) -> None:
    for docs in manifests.values():
        workloads = {f"{d['kind'].lower()}/{d['metadata']['name']}" for d in docs if d["kind"] in WORKLOADS}
        assert set(kubernetes.ROLLOUTS) == workloads
