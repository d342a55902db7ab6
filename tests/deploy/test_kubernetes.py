"""racelab.deploy.kubernetes: the secret file, rendering, and the k8s-* commands' errors, on a copy
of the kustomize tree (no cluster is reachable from here: k8s-up/down run a recording kubectl)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from racelab import cli
from racelab.deploy import kubernetes
from racelab.runtime import envfile
from tests.deploy.conftest import ROOT, copy_tree


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the tree without secrets.env, found by the CLI as the checkout."""
    copy_tree(tmp_path)
    kubernetes.secrets_file(tmp_path).unlink()
    shutil.copy(ROOT / ".env.example", tmp_path / ".env.example")
    shutil.copy(ROOT / "compose.yaml", tmp_path / "compose.yaml")
    monkeypatch.setenv("RACELAB_ROOT", str(tmp_path))
    for name in envfile.SECRETS:  # .env's values, not a developer's exported ones
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_the_secret_file_carries_the_secrets_of_env(checkout: Path) -> None:
    path = kubernetes.write_secret(checkout)
    assert path == kubernetes.secrets_file(checkout) and path.stat().st_mode & 0o777 == 0o600
    written = envfile.parse(path.read_text())
    env = envfile.parse((checkout / ".env").read_text())  # created with fresh secrets, as make up does
    assert written == {name: env[name] for name in envfile.SECRETS}
    assert "change-me" not in written.values()


def test_a_secret_an_env_file_cannot_carry_is_refused(checkout: Path) -> None:
    (checkout / ".env").write_text("".join(f"{name}=ok\n" for name in envfile.SECRETS) + "LAB_TOKEN=two words\n")
    with pytest.raises(kubernetes.KubernetesError, match="LAB_TOKEN"):
        kubernetes.write_secret(checkout)


def test_k8s_render_writes_the_secret_then_the_manifests(checkout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["k8s-render", "dev"]) == 0
    out = kubernetes.rendered_file(checkout, "dev")
    assert capsys.readouterr().out == f"wrote {out}\n"
    assert kubernetes.secrets_file(checkout).exists() and "kind: Secret" in out.read_text()


def test_an_unknown_overlay_is_named_with_the_choices(checkout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["k8s-render", "prod"]) == 2
    err = capsys.readouterr().err
    assert "no overlay 'prod'" in err and "['default', 'dev']" in err


def test_k8s_up_without_kubectl_says_what_to_install(
    checkout: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("KUBECTL", raising=False)
    monkeypatch.setenv("PATH", str(checkout))  # no kubectl there
    assert cli.main(["k8s-up"]) == 2
    assert "kubectl is not on PATH" in capsys.readouterr().err


def test_k8s_up_applies_the_rendering_and_restarts_nginx_after_the_app(
    checkout: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = checkout / "kubectl.log"
    fake = checkout / "kubectl"
    fake.write_text(f'#!/bin/sh\necho "$*" >> {log}\n')
    fake.chmod(0o755)
    monkeypatch.setenv("KUBECTL", str(fake))
    assert cli.main(["k8s-up"]) == 0
    calls = log.read_text().splitlines()
    assert calls[0] == f"apply -f {kubernetes.rendered_file(checkout, 'default')}"
    assert calls.index("-n racelab rollout status deployment/app --timeout=10m") < calls.index(
        "-n racelab rollout restart deployment/nginx"
    )
    assert cli.main(["k8s-down"]) == 0
    assert (
        log.read_text().splitlines()[-1]
        == f"delete -f {kubernetes.rendered_file(checkout, 'default')} --ignore-not-found"
    )
