"""The kernel's receive stamps (racelab.app.landing), on real loopback sockets."""

from __future__ import annotations

import socket
import struct
import time
from collections.abc import Iterator

import pytest

from racelab.app import landing

Pair = tuple[socket.socket, landing.ReceiveStampedSocket]


@pytest.fixture
def pair() -> Iterator[Pair]:
    """A client and the server side of its connection, accepted from a stamping listener."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        assert landing.enable(listener)
        client = socket.create_connection(listener.getsockname())
        accepted, _ = listener.accept()
    with client, accepted:
        yield client, landing.ReceiveStampedSocket(accepted)


def test_each_request_keeps_the_stamp_of_its_first_read(pair: Pair) -> None:
    client, server = pair
    assert server.received_ns is None
    before = time.time_ns()
    client.sendall(b"GET /one HTTP/1.1\r\n\r\n")
    assert server.recv(4, socket.MSG_PEEK) == b"GET "  # a peek reads nothing: no stamp yet
    assert server.received_ns is None
    assert server.recv(64) == b"GET /one HTTP/1.1\r\n\r\n"
    first = server.received_ns
    assert first is not None and before <= first <= time.time_ns()  # the connection inherited the option
    client.sendall(b"more")
    assert server.recv(64) == b"more" and server.received_ns == first  # the same request: its first read

    server.next_request()  # gunicorn's worker, before each request on a kept-alive connection
    client.sendall(b"GET /two HTTP/1.1\r\n\r\n")
    assert server.recv(64).startswith(b"GET /two")
    assert server.received_ns is not None and server.received_ns >= first


def test_everything_but_recv_is_the_sockets_own(pair: Pair) -> None:
    client, server = pair
    server.sendall(b"answer")
    assert client.recv(16) == b"answer"
    assert server.fileno() == server._sock.fileno() and server.getsockname() == client.getpeername()


def test_a_socket_without_the_option_reads_as_before_with_no_stamp() -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        client = socket.create_connection(listener.getsockname())
        accepted, _ = listener.accept()
    with client, accepted:
        plain = landing.ReceiveStampedSocket(accepted)
        client.sendall(b"hello")
        assert plain.recv(16) == b"hello" and plain.received_ns is None


def test_the_stamp_is_read_from_the_ancillary_data() -> None:
    stamp = struct.pack("@qq", 1_795_869_762, 613_443_123)
    assert landing.received_ns([(socket.SOL_SOCKET, landing.SO_TIMESTAMPNS, stamp)]) == 1_795_869_762_613_443_123
    assert landing.received_ns([(socket.SOL_SOCKET, landing.SO_TIMESTAMPNS, stamp[:8])]) is None  # truncated
    assert landing.received_ns([(socket.IPPROTO_IP, 1, stamp)]) is None and landing.received_ns([]) is None
