"""Configuration: settings validation, .env generation, template rendering."""

from pathlib import Path

import pytest

from racelab.runtime import envfile
from racelab.runtime.native import render
from racelab.settings import AppSettings, SettingsError, StackSettings

ROOT = Path(__file__).resolve().parents[1]


def test_stack_defaults_are_three_by_two_by_four() -> None:
    s = StackSettings.from_env({})
    assert (s.replicas, s.workers, s.threads, s.nginx_port, s.locust_port) == (3, 2, 4, 8080, 8089)
    assert s.app_ports() == [18001, 18002, 18003]


@pytest.mark.parametrize(
    "env, message",
    [
        ({"REPLICAS": "many"}, "REPLICAS='many' is not a whole number"),
        ({"NGINX_PORT": "40000"}, "NGINX_PORT=40000 is out of range"),
        ({"RACE_WINDOW_MS": "-1"}, "RACE_WINDOW_MS=-1 is out of range"),
        ({"APP_SCHEDULING": "fifo"}, "APP_SCHEDULING='fifo' is not one of batch, normal"),
    ],
)
def test_bad_settings_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        StackSettings.from_env(env)


def test_app_settings_from_env() -> None:
    s = AppSettings.from_env({"REPLICA_ID": "app-7", "RACE_WINDOW_MS": "5", "LAB_TOKEN": "t"})
    assert (s.replica_id, s.race_window_ms, s.lab_token) == ("app-7", 5, "t")
    assert s.scheduling == "batch" and AppSettings.from_env({"APP_SCHEDULING": "normal"}).scheduling == "normal"


def test_env_file_is_generated_with_fresh_secrets(tmp_path: Path) -> None:
    (tmp_path / ".env.example").write_text((ROOT / ".env.example").read_text())
    path, created = envfile.ensure(tmp_path)
    assert created and path.stat().st_mode & 0o777 == 0o600
    values = envfile.parse(path.read_text())
    assert values["LAB_TOKEN"] != "change-me" and len(values["LAB_TOKEN"]) >= 24
    assert values["POSTGRES_PASSWORD"] != values["LAB_TOKEN"]
    assert envfile.ensure(tmp_path) == (path, False)  # never overwritten


def test_env_example_documents_every_stack_variable() -> None:
    documented = envfile.parse((ROOT / ".env.example").read_text().replace("# RUN_DIR=", "RUN_DIR="))
    for name in (
        "POSTGRES_PASSWORD",
        "LAB_TOKEN",
        "REPLICAS",
        "WORKERS",
        "THREADS",
        "RACE_WINDOW_MS",
        "APP_SCHEDULING",
        "NGINX_PORT",
        "LOCUST_PORT",
        "POSTGRES_PORT",
        "REDIS_PORT",
        "APP_BASE_PORT",
        "RUNTIME",
        "RUN_DIR",
    ):
        assert name in documented, name


def test_render_fills_only_known_placeholders() -> None:
    text = "listen ${NGINX_LISTEN}; proxy_set_header Host $host; ${OTHER}"
    assert render(text, {"NGINX_LISTEN": "127.0.0.1:1"}) == "listen 127.0.0.1:1; proxy_set_header Host $host; ${OTHER}"
