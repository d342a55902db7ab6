"""Every answer a client can get through nginx is JSON: the requests nginx refuses itself (too big,
malformed, a version it does not speak), a replica that dies mid-request (502) or does not answer
(504), and what gunicorn's stricter parser refuses; while the app's own JSON errors pass unchanged.

Raw sockets, since no HTTP client will send most of these. Uses the session's stack (conftest.py);
the 504 runs the same nginx configuration against a silent upstream, with a 1 s read timeout.
"""

from __future__ import annotations

import json
import os
import platform
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from racelab.runtime import osdeps, procs
from racelab.runtime.native import render
from racelab.runtime.supervisor import Supervisor
from tests.conftest import ROOT, Stack

pytestmark = pytest.mark.stack

TEMPLATES = ROOT / "services/nginx"
BODY_LIMIT = 64 * 1024  # client_max_body_size
LINE_LIMIT = 8190  # the longest request line or header line nginx takes: 8 KB with its CRLF


# --- a raw HTTP/1.1 client ----------------------------------------------------------------


class Response:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def json(self) -> Any:
        return json.loads(self.body)

    def __repr__(self) -> str:
        return f"<{self.status} {self.headers.get('content-type')} {self.body[:300]!r}>"


def read_response(sock: socket.socket) -> Response:
    """One response: status, headers (lower-cased names) and the body its Content-Length gives."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError(f"the connection closed before a whole response header: {data[:300]!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    assert status_line.startswith("HTTP/1.1 "), status_line
    headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return Response(int(status_line.split(" ")[1]), headers, body[:length])


def connect(url: str) -> socket.socket:
    address = urlsplit(url)
    return socket.create_connection((address.hostname, address.port), timeout=10)


def exchange(url: str, request: bytes) -> Response:
    with connect(url) as sock:
        sock.sendall(request)
        return read_response(sock)


def req(line: str, *headers: str, body: bytes = b"") -> bytes:
    """A request with Host and Connection: close, and whatever else is given, as it is."""
    head = "".join(f"{h}\r\n" for h in ("Host: racelab", "Connection: close", *headers))
    return f"{line}\r\n{head}\r\n".encode("latin-1") + body


def line_of(length: int, method: str = "GET", path: str = "/api/lab?pad=") -> str:
    """A request line of exactly ``length`` bytes (CRLF not counted) to an endpoint that answers 200."""
    pad = length - len(f"{method} {path} HTTP/1.1")
    assert pad >= 0
    return f"{method} {path}{'a' * pad} HTTP/1.1"


def assert_error_json(response: Response, status: int, error: str) -> dict[str, Any]:
    assert response.status == status, response
    assert response.headers.get("content-type") == "application/json", response
    body = response.json()
    assert body["error"] == error, body
    assert isinstance(body["message"], str) and len(body["message"]) > 20, body
    return dict(body)


def assert_the_app_answered(response: Response) -> None:
    """/api/lab's own 200: gunicorn took the request and the app served it."""
    assert response.status == 200, response
    assert response.headers.get("content-type") == "application/json", response
    assert response.json()["served_by"]["pid"] > 0


# --- what nginx refuses, and what gunicorn refuses behind it -------------------------------

POST = "POST /api/counter/db-atomic/next HTTP/1.1"
GET = "GET /api/lab HTTP/1.1"
CHUNKED = "Transfer-Encoding: chunked"

# name: (status, error, request)
REFUSED: dict[str, tuple[int, str, bytes]] = {
    # too big: nginx refuses before a replica sees a byte
    "body over the limit": (413, "payload_too_large", req(POST, f"Content-Length: {BODY_LIMIT + 1}")),
    "chunked body over the limit": (
        413,
        "payload_too_large",
        req(POST, CHUNKED, body=b"%x\r\n%s\r\n0\r\n\r\n" % (BODY_LIMIT + 1, b"a" * (BODY_LIMIT + 1))),
    ),
    "request line one byte over 8 KB": (414, "uri_too_long", req(line_of(LINE_LIMIT + 1))),
    "request line of 20 KB": (414, "uri_too_long", req(line_of(20_000))),
    # 494, nginx's own code for these, leaves as the standard 431
    "header line over 8 KB": (431, "request_header_too_large", req(GET, "X-Pad: " + "a" * 9000)),
    "headers over 32 KB in all": (
        431,
        "request_header_too_large",
        req(GET, *[f"X-Pad-{i}: {'a' * 7000}" for i in range(5)]),
    ),
    # malformed
    "Content-Length twice": (400, "bad_request", req(POST, "Content-Length: 2", "Content-Length: 3", body=b"{} ")),
    "Content-Length and chunked": (
        400,
        "bad_request",
        req(POST, "Content-Length: 2", CHUNKED, body=b"2\r\n{}\r\n0\r\n\r\n"),
    ),
    "bad chunk size": (400, "bad_request", req(POST, CHUNKED, body=b"zz\r\n{}\r\n0\r\n\r\n")),
    "unknown Transfer-Encoding": (501, "not_implemented", req(POST, "Transfer-Encoding: gzip")),
    "garbage request line": (400, "bad_request", b"\x01\x02 nonsense\r\n\r\n"),
    "lower-case method": (400, "bad_request", req("get /api/lab HTTP/1.1")),
    "HTTP/1.1 without Host": (400, "bad_request", b"GET /api/lab HTTP/1.1\r\nConnection: close\r\n\r\n"),
    "HTTP/2.0 request line": (505, "http_version_not_supported", req("GET /api/lab HTTP/2.0")),
    "HTTP/3.0 request line": (505, "http_version_not_supported", req("GET /api/lab HTTP/3.0")),
    "TRACE": (405, "method_not_allowed", req("TRACE /api/lab HTTP/1.1")),
    "the error page itself": (404, "not_found", req("GET /nginx-error HTTP/1.1")),
    # nginx passes these, gunicorn's stricter parser refuses them: its error page is JSON too
    "control character in a header value": (400, "bad_request", req(GET, "X-Note: a\x01b")),
    "raw 8-bit byte in the path": (400, "bad_request", req("GET /api/lab\xff HTTP/1.1")),
}


def test_a_clients_own_scheme_header_never_reaches_gunicorn(stack: Stack) -> None:
    """nginx sets X-Forwarded-Proto itself: a spoofed one (which gunicorn would trust from
    loopback, and refuse beside a contradicting X-Forwarded-Ssl) is replaced, not passed on."""
    response = exchange(stack.url, req(GET, "X-Forwarded-Proto: https", "X-Forwarded-Ssl: off"))
    assert response.status == 200, response


@pytest.mark.parametrize(("status", "error", "request_bytes"), REFUSED.values(), ids=REFUSED.keys())
def test_a_refused_request_is_answered_json(stack: Stack, status: int, error: str, request_bytes: bytes) -> None:
    assert_error_json(exchange(stack.url, request_bytes), status, error)


# --- what nginx lets through, gunicorn takes: its limits are above nginx's ------------------

PASSED = {
    # gunicorn's default limit_request_line was 4094: these were its HTML 414 before
    "request line of 4 KB": req(line_of(4096)),
    "request line of 6 KB": req(line_of(6000)),
    "the longest request line nginx takes": req(line_of(LINE_LIMIT)),
    # gunicorn's default limit_request_fields was 100: its HTML 431
    "200 headers": req(GET, *(f"X-Header-{i}: {i}" for i in range(200))),
    "the longest header line nginx takes": req(GET, "X-Pad: " + "a" * (LINE_LIMIT - 7)),
    # nginx joins them into one X-Forwarded-For line of 28 KB, and appends the client's address
    "four X-Forwarded-For of 7 KB": req(GET, *(f"X-Forwarded-For: {'1' * 7000}" for _ in range(4))),
}


@pytest.mark.parametrize("request_bytes", PASSED.values(), ids=PASSED.keys())
def test_what_nginx_passes_reaches_the_app(stack: Stack, request_bytes: bytes) -> None:
    assert_the_app_answered(exchange(stack.url, request_bytes))


def test_the_apps_own_errors_pass_unchanged(stack: Stack) -> None:
    nginx_404 = exchange(stack.url, req("GET /nginx-error HTTP/1.1")).json()
    # the app's 404 for a path it does not know: its own JSON, not nginx's
    unknown_path = exchange(stack.url, req("GET /no/such/path HTTP/1.1"))
    assert_error_json(unknown_path, 404, "not_found")
    assert unknown_path.json() != nginx_404
    # and its detailed errors keep their detail
    unknown_strategy = exchange(stack.url, req("POST /api/counter/nope/next HTTP/1.1", "Content-Length: 0"))
    body = assert_error_json(unknown_strategy, 404, "unknown_strategy")
    assert "global-unsafe" in body["valid"]
    # nginx's own health check is still plain text
    health = exchange(stack.url, req("GET /nginx-health HTTP/1.1"))
    assert (health.status, health.body) == (200, b"ok\n")


# --- 502: a worker killed mid-request --------------------------------------------------------

# Syscall numbers of nanosleep and clock_nanosleep, for kernels whose wchan says nothing.
NANOSLEEP_SYSCALLS = {"x86_64": {"35", "230"}, "aarch64": {"101", "115"}}.get(platform.machine(), set())


def in_sleep(pid: int) -> bool:
    """A thread of this process sleeps in time.sleep(): the app's race window."""
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return False
    for task in tasks:
        try:
            if "nanosleep" in (task / "wchan").read_text():
                return True
            if (task / "syscall").read_text().split(" ", 1)[0] in NANOSLEEP_SYSCALLS:
                return True
        except OSError:
            continue
    return False


def gunicorn_workers(stack: Stack, master: int) -> list[int]:
    """A master's workers: its process group but itself and its replica's Manager (racelab.manager)."""
    managers = {int(p.read_text()) for p in Path(stack.env["RUN_DIR"]).glob("replicas/*/manager.pid")}
    return [pid for pid in procs.members(master) if pid != master and pid not in managers]


def stack_workers(stack: Stack) -> dict[int, int]:
    """The gunicorn workers of the test stack's replicas, each with its master: only these are killed."""
    supervisor = Supervisor(Path(stack.env["RUN_DIR"]))
    masters = [int(info["pid"]) for name, info in supervisor.info().items() if name.startswith("app-") and info["pid"]]
    assert masters, "no replica runs"
    return {worker: master for master in masters for worker in gunicorn_workers(stack, master)}


def test_a_worker_killed_mid_request_is_502_json(stack: Stack) -> None:
    workers = stack_workers(stack)
    already = {pid for pid in workers if in_sleep(pid)}
    with connect(stack.url) as sock:
        # POST: nginx never sends it to another replica (proxy_next_upstream), so the client sees the 502
        sock.sendall(req("POST /api/counter/global-unsafe/next?race_window_ms=2000 HTTP/1.1", "Content-Length: 0"))
        deadline = time.monotonic() + 1.5  # well inside the 2 s the request sleeps
        serving: list[int] = []
        while not serving:
            assert time.monotonic() < deadline, "no worker of the test stack started the request's race window"
            serving = [pid for pid in workers if pid not in already and in_sleep(pid)]
            time.sleep(0.01)
        assert len(serving) == 1, serving
        worker, master = serving[0], workers[serving[0]]
        os.kill(worker, signal.SIGKILL)
        response = read_response(sock)
    body = assert_error_json(response, 502, "bad_gateway")
    assert "read the state before you retry" in body["message"]
    # gunicorn replaces the worker; leave the stack as the other tests expect it
    replaced = procs.wait_until(
        lambda: (
            len(gunicorn_workers(stack, master)) == int(stack.env["WORKERS"]) and worker not in procs.members(master)
        ),
        timeout=10,
        interval=0.05,
    )
    assert replaced, f"gunicorn did not replace worker {worker} of master {master}"


# --- 504: the same configuration, a silent upstream, a 1 s read timeout ----------------------


@pytest.fixture
def nginx_before_a_silent_replica(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """nginx with the lab's configuration in front of a port that accepts and never answers.

    Listens on a unix socket: no port to collide with another test run. Returns the socket's path.
    """
    binaries, missing = osdeps.find()
    if binaries is None:
        pytest.skip(f"needs {', '.join(missing)}")
    home = tmp_path_factory.mktemp("nginx-504")
    (home / "tmp").mkdir()
    listen = home / "nginx.sock"
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)  # the kernel completes each handshake; nothing ever reads or answers
        values = {
            "NGINX_RUN": str(home),
            "NGINX_LISTEN": f"unix:{listen}",
            "NGINX_H2_LISTEN": f"unix:{home / 'nginx-h2.sock'}",  # unused here; a socket, not a port
            "UPSTREAM_SERVERS": f"server 127.0.0.1:{silent.getsockname()[1]};",
        }
        site = render((TEMPLATES / "racelab.conf.template").read_text(), values)
        assert "proxy_read_timeout 60s;" in site
        (home / "racelab.conf").write_text(site.replace("proxy_read_timeout 60s;", "proxy_read_timeout 1s;"))
        (home / "nginx.conf").write_text(render((TEMPLATES / "native.conf.template").read_text(), values))
        nginx = subprocess.Popen(
            [binaries.nginx, "-p", str(home), "-c", str(home / "nginx.conf"), "-e", "stderr", "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:

            def accepts() -> bool:
                with socket.socket(socket.AF_UNIX) as probe:
                    probe.connect(str(listen))
                return True

            if not procs.wait_until(accepts, timeout=5, pid=nginx.pid, interval=0.05):
                nginx.kill()
                pytest.fail(f"nginx did not start: {nginx.communicate()[1].decode(errors='replace')}")
            yield listen
        finally:
            if nginx.poll() is None:
                nginx.terminate()  # nginx's fast shutdown; its workers go with it
            nginx.wait(timeout=10)


def test_a_replica_that_does_not_answer_is_504_json(nginx_before_a_silent_replica: Path) -> None:
    started = time.monotonic()
    with socket.socket(socket.AF_UNIX) as sock:
        sock.settimeout(10)
        sock.connect(str(nginx_before_a_silent_replica))
        sock.sendall(req("POST /api/counter/db-atomic/next HTTP/1.1", "Content-Length: 0"))
        response = read_response(sock)
    body = assert_error_json(response, 504, "gateway_timeout")
    assert "read the state before you retry" in body["message"]
    assert time.monotonic() - started < 5
