"""compose.yaml and deploy/kubernetes describe one lab: these checks fail when they drift apart.

compose.yaml is read as tests/runtime/test_drift.py reads it (PyYAML, interpolated as compose
would, with nothing but the secrets set); the Kubernetes side is the rendered overlays, each
container's environment resolved as the kubelet resolves it (ConfigMap and Secret references,
then ``$(NAME)``). Where the two differ on purpose, the difference is named and asserted here.
"""

from __future__ import annotations

import base64
import math
import re
from pathlib import Path
from typing import Any

import pytest

from racelab.deploy import kubernetes
from tests.deploy.conftest import ROOT, Manifest, copy_tree, load
from tests.runtime.test_drift import SERVICES, compose_env, compose_service

OVERLAYS = ("default", "dev")
# The images compose builds, by Dockerfile, and the names the kustomize `images:` block gives them.
BUILT_IMAGES = {"services/app/Dockerfile": "racelab-app", "loadtests/Dockerfile": "racelab-locust"}
# Kubernetes builds a value from other variables ($(NAME)) only when they are variables of the same
# container: the parts of the URLs compose interpolates (a Secret holds passwords, not URLs).
URL_PARTS = {
    "POSTGRES_USER",
    "POSTGRES_DB",
    "POSTGRES_PASSWORD",
    "REDIS_PASSWORD",
    "RABBITMQ_USER",
    "RABBITMQ_PASSWORD",
}
KUBERNETES_ONLY_VARS = {
    "app": URL_PARTS | {"LOCUST_PORT", "REPLICA_ID"},
    "queue-worker": URL_PARTS,
    # compose interpolates it into the command line; Kubernetes takes $(NAME) from the environment
    "redis": {"REDIS_APPENDFSYNC"},
    # a volume's root may hold lost+found, and initdb wants an empty folder
    "postgres": {"PGDATA"},
}
# compose's host-publishing knobs: here the Service's ports and kubectl port-forward choose them.
COMPOSE_ONLY_KNOBS = {"NGINX_PORT", "NGINX_H2_PORT"}
# The Kubernetes names of what compose publishes on 127.0.0.1.
PUBLISHED = {"nginx": "nginx", "locust": "locust-ui"}
_DEFAULTED = re.compile(r"\$\{([A-Z_][A-Z0-9_]*):-([^}]*)\}")
_REFERENCE = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")


def workloads(docs: list[Manifest]) -> dict[str, Manifest]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] in {"Deployment", "StatefulSet"}}


def main_container(docs: list[Manifest], name: str) -> dict[str, Any]:
    (container,) = workloads(docs)[name]["spec"]["template"]["spec"]["containers"]
    return dict(container)


def generated(docs: list[Manifest], kind: str, name: str) -> Manifest:
    """A ConfigMap or Secret of the kustomization, by the name it has before kustomize's hash."""
    (doc,) = [d for d in docs if d["kind"] == kind and d["metadata"]["name"].rsplit("-", 1)[0] == name]
    return doc


def expand(value: str, env: dict[str, str]) -> str:
    """The kubelet's $(NAME): replaced when NAME is defined, left as it is otherwise."""
    return _REFERENCE.sub(lambda m: env.get(m.group(1), m.group(0)), value)


def resolve_env(docs: list[Manifest], container: dict[str, Any]) -> dict[str, str]:
    """A container's environment as the kubelet builds it, in order."""
    objects = {(d["kind"], d["metadata"]["name"]): d for d in docs}
    env: dict[str, str] = {}
    for entry in container.get("env", []):
        source = entry.get("valueFrom", {})
        if "value" in entry:
            env[entry["name"]] = expand(entry["value"], env)
        elif "configMapKeyRef" in source:
            ref = source["configMapKeyRef"]
            env[entry["name"]] = objects["ConfigMap", ref["name"]]["data"][ref["key"]]
        elif "secretKeyRef" in source:
            ref = source["secretKeyRef"]
            env[entry["name"]] = base64.b64decode(objects["Secret", ref["name"]]["data"][ref["key"]]).decode()
        else:
            env[entry["name"]] = f"<fieldRef {source['fieldRef']['fieldPath']}>"
    return env


def seconds(duration: str) -> int:
    """A compose duration as a probe's whole seconds ("2s", "1m")."""
    match = re.fullmatch(r"(\d+)(s|m)", duration)
    assert match, f"{duration!r}: only whole seconds or minutes map onto a probe"
    return int(match.group(1)) * (60 if match.group(2) == "m" else 1)


@pytest.fixture(params=OVERLAYS)
def docs(request: pytest.FixtureRequest, manifests: dict[str, list[Manifest]]) -> list[Manifest]:
    return manifests[request.param]


def test_the_same_services(docs: list[Manifest]) -> None:
    assert set(workloads(docs)) == set(SERVICES)


def test_the_same_variables(docs: list[Manifest]) -> None:
    for name in SERVICES:
        k8s = resolve_env(docs, main_container(docs, name))
        only = KUBERNETES_ONLY_VARS.get(name, set())
        assert only <= set(k8s), (name, only - set(k8s))
        assert {k: v for k, v in k8s.items() if k not in only} == compose_env(name), name
    # compose leaves REPLICA_ID unset (each replica takes its hostname); each pod takes its name
    assert "REPLICA_ID" not in compose_env("app")
    assert resolve_env(docs, main_container(docs, "app"))["REPLICA_ID"] == "<fieldRef metadata.name>"


def test_the_knobs_have_the_compose_defaults(docs: list[Manifest]) -> None:
    """Every ${VAR:-default} of compose.yaml is a key of the ConfigMap, with the same default."""
    defaults = dict(_DEFAULTED.findall((ROOT / "compose.yaml").read_text()))
    assert set(defaults) >= COMPOSE_ONLY_KNOBS
    config = generated(docs, "ConfigMap", "racelab-config")["data"]
    assert config == {k: v for k, v in defaults.items() if k not in COMPOSE_ONLY_KNOBS}


def test_the_knobs_reach_the_pods(tmp_path: Path) -> None:
    """REPLICAS=5 WORKERS=3... in an overlay: the same values reach the same places as in compose."""
    knobs = {"REPLICAS": "5", "WORKERS": "3", "THREADS": "7", "RACE_WINDOW_MS": "9", "LOCUST_WORKERS": "4"}
    tree = copy_tree(tmp_path)
    overlay = kubernetes.deploy_dir(tree) / "overlays" / "knobs"
    overlay.mkdir()
    literals = "".join(f"      - {k}={v}\n" for k, v in knobs.items())
    (overlay / "kustomization.yaml").write_text(
        "resources: [../../base]\n"
        "components: [../../components/replicas]\n"
        "configMapGenerator:\n  - name: racelab-config\n    behavior: merge\n"
        f"    literals:\n{literals}"
    )
    docs = load(kubernetes.render(tree, "knobs"))
    for name in ("app", "nginx", "queue-worker", "locust-worker"):
        k8s = resolve_env(docs, main_container(docs, name))
        only = KUBERNETES_ONLY_VARS.get(name, set())
        assert {k: v for k, v in k8s.items() if k not in only} == compose_env(name, knobs), name
    assert workloads(docs)["app"]["spec"]["replicas"] == int(compose_service("app", knobs)["deploy"]["replicas"]) == 5
    worker = compose_service("locust-worker", knobs)["deploy"]["replicas"]
    assert workloads(docs)["locust-worker"]["spec"]["replicas"] == int(worker) == 4


def test_the_same_replicas(docs: list[Manifest]) -> None:
    for name, workload in workloads(docs).items():
        expected = compose_service(name).get("deploy", {}).get("replicas", 1)
        assert workload["spec"]["replicas"] == int(expected), name


def test_the_same_commands(docs: list[Manifest]) -> None:
    """compose's command replaces the image's CMD, as a container's args do; no entrypoint changes."""
    for name in SERVICES:
        container = main_container(docs, name)
        assert "command" not in container, name
        env = resolve_env(docs, container)
        args = [expand(arg, env) for arg in container.get("args", [])]
        assert args == [str(a) for a in compose_service(name).get("command", [])], name


def test_the_same_images(docs: list[Manifest]) -> None:
    for name, service in SERVICES.items():
        image = main_container(docs, name)["image"]
        if "build" in service:
            assert image.split(":")[0] == BUILT_IMAGES[service["build"]["dockerfile"]], name
        else:
            assert image == service["image"], name


def test_the_images_block_names_both_built_images() -> None:
    for overlay in OVERLAYS:
        text = (kubernetes.deploy_dir(ROOT) / "overlays" / overlay / "kustomization.yaml").read_text()
        assert set(re.findall(r"^  - name: (racelab-\S+)$", text, re.MULTILINE)) == set(BUILT_IMAGES.values())


def probe(test: list[str]) -> list[str]:
    """compose's healthcheck test as an exec probe's command (CMD-SHELL runs /bin/sh -c)."""
    kind, *rest = test
    return rest if kind == "CMD" else ["sh", "-c", *rest]


def test_the_probes_are_the_compose_healthchecks(docs: list[Manifest]) -> None:
    for name in SERVICES:
        container = main_container(docs, name)
        check = compose_service(name).get("healthcheck")
        if check is None:
            assert not {"readinessProbe", "livenessProbe", "startupProbe"} & set(container), name
            continue
        interval, retries = seconds(check["interval"]), int(check["retries"])
        expected = {
            "exec": {"command": probe(check["test"])},
            "periodSeconds": interval,
            "timeoutSeconds": seconds(check["timeout"]),
            "failureThreshold": retries,
        }
        assert container["readinessProbe"] == expected, name
        assert container["livenessProbe"] == expected, name
        if "start_period" in check:
            # failures during start_period do not count, then `retries` do: the same grace
            grace = math.ceil(seconds(check["start_period"]) / interval) + retries
            assert container["startupProbe"] == {**expected, "failureThreshold": grace}, name
        else:
            assert "startupProbe" not in container, name


def test_the_same_dependencies(docs: list[Manifest]) -> None:
    """compose's depends_on (service_healthy) is each pod's wait-for init container: the same
    services, reached through their Services, which route only to ready pods."""
    for name in SERVICES:
        depends = compose_service(name).get("depends_on", {})
        healthy = (
            {k for k, v in depends.items() if v["condition"] == "service_healthy"}
            if isinstance(depends, dict)
            else set()
        )
        inits = workloads(docs)[name]["spec"]["template"]["spec"].get("initContainers", [])
        waited = {target.split(":")[0] for init in inits for target in _targets(init["command"])}
        assert waited == healthy, name


def _targets(command: list[str]) -> list[str]:
    """What a wait-for init container waits for: its arguments (after sh's $0)."""
    return command[4:] if command[0] == "sh" else command[3:]


def test_the_same_security_settings(docs: list[Manifest]) -> None:
    for name in SERVICES:
        compose = compose_service(name)
        container = main_container(docs, name)
        spec = workloads(docs)[name]["spec"]["template"]["spec"]
        context = container["securityContext"]
        assert bool(context.get("readOnlyRootFilesystem")) == bool(compose.get("read_only")), name
        assert set(compose.get("cap_drop", [])) <= set(context["capabilities"]["drop"]), name
        if "no-new-privileges:true" in compose.get("security_opt", []):
            assert context["allowPrivilegeEscalation"] is False, name
        # compose's tmpfs: a memory-backed emptyDir at the same path
        memory = {v["name"] for v in spec.get("volumes", []) if v.get("emptyDir", {}).get("medium") == "Memory"}
        in_memory = {m["mountPath"] for m in container.get("volumeMounts", []) if m["name"] in memory}
        assert in_memory == set(compose.get("tmpfs", [])), name
    # compose's `user: redis`: the image's redis user
    assert workloads(docs)["redis"]["spec"]["template"]["spec"]["securityContext"]["runAsUser"] == 999


def test_the_same_volumes(docs: list[Manifest]) -> None:
    """Named volumes are volume claims at the same path; files from the checkout are ConfigMaps
    with the same content, mounted at the same path."""
    objects = {(d["kind"], d["metadata"]["name"]): d for d in docs}
    for name in SERVICES:
        workload = workloads(docs)[name]
        claims = {t["metadata"]["name"] for t in workload["spec"].get("volumeClaimTemplates", [])}
        spec = workload["spec"]["template"]["spec"]
        mounts = {m["name"]: m["mountPath"] for m in main_container(docs, name).get("volumeMounts", [])}
        mounted_claims, mounted_files = set(), {}
        for volume in spec.get("volumes", []):
            if "configMap" in volume:
                data = objects["ConfigMap", volume["configMap"]["name"]]["data"]
                for key, text in data.items():
                    mounted_files[f"{mounts[volume['name']]}/{key}"] = text
        for claim in claims:
            mounted_claims.add(mounts[claim])
        named, files = set(), {}
        for volume in compose_service(name).get("volumes", []):
            source, target = volume.split(":")[:2]
            if source.startswith("./"):
                files[target] = (ROOT / source).read_text()
            else:
                named.add(target)
        assert mounted_claims == named, name
        assert mounted_files == files, name


def test_published_ports_are_the_exposed_services(manifests: dict[str, list[Manifest]]) -> None:
    """What compose publishes (nginx, the Locust UI) is what the default overlay exposes, on the
    container ports compose publishes."""
    docs = manifests["default"]
    services = {d["metadata"]["name"]: d["spec"] for d in docs if d["kind"] == "Service"}
    exposed = {n for n, s in services.items() if s.get("type") == "LoadBalancer"}
    published = {name for name, service in SERVICES.items() if service.get("ports")}
    assert exposed == {PUBLISHED[name] for name in published}
    for name in published:
        container_ports = sorted(int(str(mapping).rsplit(":", 1)[1]) for mapping in compose_service(name)["ports"])
        named = {p["name"]: p["containerPort"] for p in main_container(docs, name)["ports"]}
        exposed_ports = sorted(named[port["targetPort"]] for port in services[PUBLISHED[name]]["ports"])
        assert exposed_ports == container_ports, name
