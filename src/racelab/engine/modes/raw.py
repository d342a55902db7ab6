"""HTTP/1.1 burst modes over raw keep-alive connections: ``threads`` and ``last-byte``.

Both hold every request back by its last byte: what is left to send at the release is one byte
per connection rather than a whole request, and nginx (which waits for a complete request before
it passes it on) completes them all within the time those bytes take to go out. They differ in
who sends the last bytes: each caller's thread after a barrier (``threads``), or one thread in a
tight loop (``last-byte``), which costs a ``send`` call per connection and no thread wake-ups.
"""

from __future__ import annotations

import http.client
import selectors
import socket
import threading
import time

from racelab.engine.client import Endpoint
from racelab.engine.modes import Answer, Request, parse_body


class RawConnection:
    """A keep-alive HTTP/1.1 connection that can hold a request back by its last byte."""

    def __init__(self, endpoint: Endpoint, timeout: float) -> None:
        self.host = endpoint.host
        self.port = endpoint.port
        self.timeout = timeout
        self.sock: socket.socket | None = None

    def open(self) -> socket.socket:
        if self.sock is None:
            self.sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
            # The last byte must leave now, not when Nagle's algorithm sees the previous ack.
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return self.sock

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def request_bytes(self, request: Request) -> bytes:
        lines = [
            f"{request.method} {request.path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            f"Content-Length: {len(request.body)}",
            "Content-Type: application/json",
            *(f"{name}: {value}" for name, value in request.headers.items()),
        ]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + request.body

    def hold(self, raw: bytes) -> bool:
        """Send all but the last byte (opening the connection first if needed); False if that failed."""
        try:
            self.open().sendall(raw[:-1])
            return True
        except OSError:
            self.close()
            return False

    def read_answer(self, answer: Answer) -> None:
        """Read the answer to the request whose last byte went out, into ``answer``."""
        try:
            response = http.client.HTTPResponse(self.open(), method="POST")
            response.begin()
            raw = response.read()
            answer.answered = time.time()
            answer.status, answer.body, answer.headers = response.status, parse_body(raw), dict(response.getheaders())
            if response.will_close:
                self.close()
        except (OSError, http.client.HTTPException) as exc:
            answer.error = f"{type(exc).__name__}: {exc}"
            self.close()


class _Pool:
    """One raw connection per caller, kept from one burst to the next."""

    def __init__(self, endpoint: Endpoint, timeout: float) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self.conns: list[RawConnection] = []

    def take(self, n: int) -> list[RawConnection]:
        while len(self.conns) < n:
            self.conns.append(RawConnection(self.endpoint, self.timeout))
        return self.conns[:n]

    def close(self) -> None:
        for conn in self.conns:
            conn.close()


class ThreadsSender(_Pool):
    """Each caller's thread holds its request by the last byte, waits at a barrier, sends it."""

    def fire(self, requests: list[Request]) -> list[Answer]:
        conns = self.take(len(requests))
        barrier = threading.Barrier(len(requests))
        answers = [Answer(sent=0.0) for _ in requests]

        def caller(i: int) -> None:
            conn, raw = conns[i], conns[i].request_bytes(requests[i])
            held = conn.hold(raw)  # also opens the connection before the burst
            try:
                barrier.wait(timeout=self.timeout)
            except threading.BrokenBarrierError:
                answers[i].sent, answers[i].error = time.time(), "the burst never gathered (a caller got stuck)"
                return
            answers[i].sent = time.time()
            # A connection that failed to hold (nginx closed an idle one) sends it all now.
            if (held or conn.hold(raw)) and self._send_last(conn, raw, answers[i]):
                conn.read_answer(answers[i])

        threads = [threading.Thread(target=caller, args=(i,), name=f"caller-{i}") for i in range(len(requests))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return answers

    @staticmethod
    def _send_last(conn: RawConnection, raw: bytes, answer: Answer) -> bool:
        try:
            conn.open().sendall(raw[-1:])
            return True
        except OSError as exc:
            answer.error = f"{type(exc).__name__}: {exc}"
            conn.close()
            return False


class LastByteSender(_Pool):
    """Every request held by its last byte, then every last byte written from this one thread.

    No other thread runs meanwhile: the loop that writes the last bytes gives the GIL away at
    each ``send``, and a reader thread taking it then would hold the next byte back by up to the
    interpreter's switch interval (5 ms). So the answers are read afterwards, by this thread too,
    each as soon as its socket is readable (a selector), which keeps their times close to real.
    """

    def fire(self, requests: list[Request]) -> list[Answer]:
        conns = self.take(len(requests))
        raws = [conn.request_bytes(r) for conn, r in zip(conns, requests, strict=True)]
        answers = [Answer(sent=0.0) for _ in requests]
        # A connection nginx closed while idle fails to hold: it is reopened, once.
        held = [conn.hold(raw) or conn.hold(raw) for conn, raw in zip(conns, raws, strict=True)]
        waiting: dict[socket.socket, int] = {}
        for i, conn in enumerate(conns):
            sock = conn.sock
            answers[i].sent = time.time()
            if not held[i] or sock is None:
                answers[i].error = "could not connect to nginx"
                continue
            try:
                sock.send(raws[i][-1:])
                waiting[sock] = i
            except OSError as exc:
                answers[i].error = f"{type(exc).__name__}: {exc}"
                conn.close()
        self._read_answers(conns, answers, waiting)
        return answers

    def _read_answers(
        self, conns: list[RawConnection], answers: list[Answer], waiting: dict[socket.socket, int]
    ) -> None:
        with selectors.DefaultSelector() as selector:
            for sock, i in waiting.items():
                selector.register(sock, selectors.EVENT_READ, i)
            deadline = time.monotonic() + self.timeout
            while selector.get_map():
                ready = selector.select(timeout=max(0.0, deadline - time.monotonic()))
                if not ready:
                    for key in list(selector.get_map().values()):
                        answers[key.data].error = f"no answer within {self.timeout:g} s"
                        conns[key.data].close()
                    return
                for key, _ in ready:
                    selector.unregister(key.fileobj)
                    conns[key.data].read_answer(answers[key.data])
