"""The stack the report runs on: what it runs is asked of the stack, and put back the same way."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from racelab.report.lab import Lab, ReportError, Shape

KNOBS = ("TOPOLOGY", "REPLICAS", "WORKERS", "THREADS", "SERVER", "RACE_WINDOW_MS")


class Recorder:
    """A runtime that notes what ``make up`` would have read."""

    name = "fake"

    def __init__(self) -> None:
        self.seen: list[dict[str, str]] = []

    def up(self) -> None:
        self.seen.append({k: os.environ[k] for k in KNOBS})

    def down(self) -> None: ...

    def status(self) -> int:
        return 0

    def logs_cmd(self, service: str | None, follow: bool, lines: int) -> None: ...


class Failing(Recorder):
    def up(self) -> None:
        raise RuntimeError("port 18080 is taken")


def test_a_named_shape_is_set_by_its_name_and_a_custom_one_by_its_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    for knob in KNOBS:
        monkeypatch.setenv(knob, "")  # recorded, so the switches below are undone afterwards
    runtime = Recorder()
    lab = Lab(runtime)
    lab.switch(Shape(1, 1, 8, 0))
    lab.switch(Shape(5, 2, 3, 20))
    lab.switch(Shape(1, 1, 16, 0, "gevent"))
    assert runtime.seen == [
        {
            "TOPOLOGY": "threads",
            "REPLICAS": "1",
            "WORKERS": "1",
            "THREADS": "8",
            "SERVER": "gthread",
            "RACE_WINDOW_MS": "0",
        },
        {"TOPOLOGY": "", "REPLICAS": "5", "WORKERS": "2", "THREADS": "3", "SERVER": "gthread", "RACE_WINDOW_MS": "20"},
        {
            "TOPOLOGY": "gevent",
            "REPLICAS": "1",
            "WORKERS": "1",
            "THREADS": "16",
            "SERVER": "gevent",
            "RACE_WINDOW_MS": "0",
        },
    ]
    assert Shape(5, 2, 3, 20).label == "custom (5x2x3, race window 20 ms)"
    assert Shape(1, 1, 16, 0, "gevent").label == "gevent (1x1x16 gevent)"
    assert not Shape(1, 1, 16, 0, "gevent").same_topology(Shape(1, 1, 16, 0))


def test_a_failed_switch_says_what_the_runtime_said(monkeypatch: pytest.MonkeyPatch) -> None:
    for knob in KNOBS:
        monkeypatch.setenv(knob, "")  # recorded, so the switches below are undone afterwards
    lab = Lab(Failing())
    lab.lines.append("  nginx     port 18080 is already in use")
    with pytest.raises(ReportError, match="could not bring the stack up as replicas \\(3x2x4\\): port 18080 is taken"):
        lab.switch(Shape(3, 2, 4, 0))


def serve(answer: dict[str, object] | None, status: int = 200) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None: ...

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def lab_at(url: str, monkeypatch: pytest.MonkeyPatch) -> Lab:
    lab = Lab(Recorder())
    monkeypatch.setattr(lab, "url_and_token", lambda: (url, ""))
    return lab


def test_the_running_shape_comes_from_the_stack(monkeypatch: pytest.MonkeyPatch) -> None:
    answer = {"topology": {"replicas": 1, "workers": 1, "threads": 8, "name": "threads"}, "race_window_ms": 5}
    for url in serve(answer):
        assert lab_at(url, monkeypatch).running() == Shape(1, 1, 8, 5)


def test_nothing_running_is_none(monkeypatch: pytest.MonkeyPatch) -> None:
    assert lab_at("http://127.0.0.1:9", monkeypatch).running() is None


def test_a_lab_that_does_not_say_its_shape_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    answer = {"topology": {"replicas": 0, "workers": 0, "threads": 4, "name": "unknown"}, "race_window_ms": 0}
    for url in serve(answer):
        with pytest.raises(ReportError, match=r"does not say how it runs .* restart it with make up"):
            lab_at(url, monkeypatch).running()
    for url in serve({"error": "not_found"}, status=404):
        with pytest.raises(ReportError, match=r"answers at .* but not GET /api/lab"):
            lab_at(url, monkeypatch).running()
