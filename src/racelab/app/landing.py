"""When a request landed at the app: the kernel's receive time, read off the app's own socket.

Where a race is decided is the moment the requests reach the app, and the closest the app can see
that moment is the kernel's: with ``SO_TIMESTAMPNS`` set on a socket, Linux stamps every packet as
it is received and hands the stamp over with the data (``recvmsg``'s ancillary data). The stamp is
taken in the kernel, before any Python runs: it does not move when the process's threads queue for
the GIL or for a core, which is what the app's own stamp at the start of the handler measures
(:mod:`racelab.app.arrival`). The two together tell where a burst spreads out: on the way
(client, nginx: the arrival spread) or in the app (its parsing and scheduling: the start spread).
This is the figure the reference tools quote too: PortSwigger's single-packet attack "about 1 ms
at the server" is a packet capture's, not an application's, clock.

The listening socket gets the option, and the connections it accepts inherit it.
:class:`ReceiveStampedSocket` wraps an accepted connection for gunicorn (which reads with
``recv``): it reads with ``recvmsg`` instead, and keeps the stamp of the first read of each
request (gunicorn sees the wrapper as the request's socket, ``environ["gunicorn.socket"]``).
A request that fits one segment, as nginx's proxied requests do, has exactly one stamp; for a
longer one it is the stamp of the last segment the first read took.
"""

from __future__ import annotations

import socket
import struct
from typing import Any

# Linux's value where Python does not name it (it does from 3.13 on some builds only).
SO_TIMESTAMPNS: int = getattr(socket, "SO_TIMESTAMPNS", 35)
_TIMESPEC = struct.Struct("@qq")  # struct timespec on a 64-bit Linux: seconds, nanoseconds
_ANCILLARY_SPACE = socket.CMSG_SPACE(_TIMESPEC.size)


def enable(sock: Any) -> bool:
    """Ask the kernel to stamp what ``sock`` receives (and what the connections it accepts
    receive); False where it cannot (not Linux, not a TCP or UNIX socket)."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    except OSError:
        return False
    return True


def received_ns(ancillary: list[tuple[int, int, bytes]]) -> int | None:
    """The receive time (wall clock, ns since the epoch) in ``recvmsg``'s ancillary data."""
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(data) >= _TIMESPEC.size:
            seconds, nanoseconds = _TIMESPEC.unpack_from(data)
            return int(seconds) * 1_000_000_000 + int(nanoseconds)
    return None


class ReceiveStampedSocket:
    """An accepted connection that keeps the kernel's receive time of each request's first read.

    Everything but ``recv`` is the wrapped socket's own (``__getattr__``): selectors and
    ``select`` use its file descriptor, gunicorn its ``sendall``, ``setblocking``, ``close``.
    """

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self.received_ns: int | None = None  # of the request being read now; None: not known

    def next_request(self) -> None:
        """The connection is about to read a new request: forget the last one's stamp."""
        self.received_ns = None

    def recv(self, bufsize: int, flags: int = 0) -> bytes:
        data, ancillary, _flags, _address = self._sock.recvmsg(bufsize, _ANCILLARY_SPACE, flags)
        if data and self.received_ns is None and not flags & socket.MSG_PEEK:
            self.received_ns = received_ns(ancillary)
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)
