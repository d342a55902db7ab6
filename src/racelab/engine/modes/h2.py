"""The ``single-packet`` burst mode: every request a stream of one HTTP/2 connection, and every
stream's final DATA frame in one write (PortSwigger's single-packet attack), with ``h2``.

The connection speaks HTTP/2 over cleartext with prior knowledge (h2c, no TLS, no Upgrade) to
nginx's ``http2`` listener (``NGINX_H2_PORT``), which nginx 1.22 (Debian's) serves: a ``listen``
with ``http2`` and without ``ssl`` takes only HTTP/2 and expects the client preface at once.

Steps of one burst, on a fresh connection (nginx ends an HTTP/2 connection after 1000 requests,
and a fresh one costs its handshake before the burst, never in it):

1. every stream's HEADERS and its body but the last byte (nginx buffers a request body before it
   passes the request on: ``proxy_request_buffering``, on by default, so nothing reaches the app);
2. a PING, and wait for its ACK: nginx answers frames in order, so once it acks the PING it has
   read every frame before it. No sleep-and-hope;
3. every stream's final DATA frame (its last byte, END_STREAM): a few dozen bytes each, all in one
   ``sendall``, which on loopback (64 KB MTU) is one TCP segment for 100 requests.

Then the answers are read as they come, and each stream's time is taken when it ends.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

import h2.config
import h2.connection
import h2.events
import h2.exceptions
import h2.settings

from racelab.engine.client import Endpoint
from racelab.engine.modes import Answer, ModeError, Request, parse_body

PING = b"racelab!"  # any 8 bytes: the ACK carries them back


class SinglePacketSender:
    def __init__(self, endpoint: Endpoint, timeout: float) -> None:
        self.endpoint = endpoint
        self.timeout = timeout

    def close(self) -> None:
        """Nothing to close: each burst opens and closes its own connection."""

    def fire(self, requests: list[Request]) -> list[Answer]:
        try:
            sock = socket.create_connection((self.endpoint.host, self.endpoint.port), timeout=self.timeout)
        except OSError as exc:
            raise ModeError(
                f"no HTTP/2 listener at {self.endpoint.host}:{self.endpoint.port} ({exc}): is the lab up with "
                "NGINX_H2_PORT set as it was at make up?"
            ) from None
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return _Burst(sock, self.endpoint, requests).run()
        finally:
            sock.close()


class _Burst:
    """One connection's burst: the frames, the PING, the one write, and the answers."""

    def __init__(self, sock: socket.socket, endpoint: Endpoint, requests: list[Request]) -> None:
        self.sock = sock
        self.requests = requests
        self.authority = f"{endpoint.host}:{endpoint.port}"
        config = h2.config.H2Configuration(client_side=True, header_encoding="utf-8")
        self.conn = h2.connection.H2Connection(config=config)
        self.answers = [Answer(sent=0.0) for _ in requests]
        self.streams: dict[int, int] = {}  # stream id -> index of its request
        self.bodies: dict[int, list[bytes]] = {}
        self.open = 0  # streams not ended yet
        self.pinged = False
        self.limit: int | None = None  # the server's max_concurrent_streams, once its SETTINGS came
        self.failed: str | None = None  # why the connection broke, if it did

    def run(self) -> list[Answer]:
        self.conn.initiate_connection()
        # Our receive window, wide enough that 100 answers never wait for a WINDOW_UPDATE.
        self.conn.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 1 << 20})
        self.conn.increment_flow_control_window(1 << 24)
        self.flush()
        self._read_until(lambda: self.limit is not None)  # nginx sends its SETTINGS first
        if self.limit is None:
            raise ModeError(f"the HTTP/2 listener at {self.authority} did not speak HTTP/2: {self.failed}")
        if len(self.requests) > self.limit:
            raise ModeError(
                f"single-packet sends at most {self.limit} requests at once (nginx's "
                f"http2_max_concurrent_streams); asked for {len(self.requests)}"
            )
        finals: list[tuple[int, bytes]] = []
        for i, request in enumerate(self.requests):
            stream = self.conn.get_next_available_stream_id()
            self.streams[stream], self.bodies[stream] = i, []
            self.conn.send_headers(stream, self._headers(request))
            if len(request.body) > 1:
                self.conn.send_data(stream, request.body[:-1])
            finals.append((stream, request.body[-1:]))
        self.conn.ping(PING)
        self.flush()
        self.open = len(finals)
        self._read_until(lambda: self.pinged)
        if self.failed is not None:
            for answer in self.answers:
                answer.sent = time.time()
            return self.answers
        for stream, last in finals:
            self.conn.send_data(stream, last, end_stream=True)
        packet = self.conn.data_to_send()
        sent = time.time()
        self.sock.sendall(packet)  # the single packet
        for answer in self.answers:
            answer.sent = sent
        self._read_until(lambda: self.open == 0)
        return self.answers

    def _headers(self, request: Request) -> list[tuple[str, str]]:
        return [
            (":method", request.method),
            (":scheme", "http"),
            (":authority", self.authority),
            (":path", request.path),
            ("content-length", str(len(request.body))),
            ("content-type", "application/json"),
            *((name.lower(), value) for name, value in request.headers.items()),
        ]

    def flush(self) -> None:
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def _read_until(self, done: Callable[[], bool]) -> None:
        while not done() and self.failed is None:
            try:
                data = self.sock.recv(65536)
            except OSError as exc:
                self._fail_open(f"{type(exc).__name__}: {exc}")
                return
            if not data:
                self._fail_open("nginx closed the HTTP/2 connection")
                return
            for event in self.conn.receive_data(data):
                self._handle(event)
            self.flush()

    def _handle(self, event: h2.events.Event) -> None:
        if isinstance(event, h2.events.RemoteSettingsChanged):
            self.limit = self.conn.remote_settings.max_concurrent_streams
        elif isinstance(event, h2.events.PingAckReceived):
            self.pinged = True
        elif isinstance(event, h2.events.ResponseReceived) and event.stream_id in self.streams:
            answer = self.answers[self.streams[event.stream_id]]
            headers = {str(name): str(value) for name, value in event.headers or []}
            answer.status = int(headers.pop(":status", "0"))
            # HTTP/2 names are lower case; the history reads X-Racelab-* as HTTP/1.1 spells them.
            answer.headers = {name.title(): value for name, value in headers.items()}
        elif isinstance(event, h2.events.DataReceived) and event.stream_id in self.streams:
            self.bodies[event.stream_id].append(event.data or b"")
            self.conn.acknowledge_received_data(event.flow_controlled_length or 0, event.stream_id)
        elif isinstance(event, h2.events.StreamEnded) and event.stream_id in self.streams:
            answer = self.answers[self.streams[event.stream_id]]
            answer.answered = time.time()
            answer.body = parse_body(b"".join(self.bodies[event.stream_id]))
            self.open -= 1
        elif isinstance(event, h2.events.StreamReset) and event.stream_id in self.streams:
            answer = self.answers[self.streams[event.stream_id]]
            answer.status, answer.error = 0, f"stream reset by nginx (error code {event.error_code})"
            self.open -= 1
        elif isinstance(event, h2.events.ConnectionTerminated):
            self._fail_open(f"nginx ended the HTTP/2 connection (GOAWAY, error code {event.error_code})")

    def _fail_open(self, why: str) -> None:
        """Every stream still open gets no answer: indeterminate, as a cut connection is."""
        self.failed = why
        for i in self.streams.values():
            answer = self.answers[i]
            if answer.answered is None and answer.error is None:
                answer.status, answer.error = 0, why
