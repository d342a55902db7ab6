"""Topologies: how much concurrency the stack puts behind nginx.

A strategy is safe up to some *scope* of concurrency (no concurrency at all, threads of one
process, processes of one replica, every replica). A topology exposes the app to one scope. The
expected verdict of a strategy under a topology is computed from the two, never written by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Scope(IntEnum):
    """How far concurrent requests can spread; each level includes the ones below it."""

    NONE = 0  # one request at a time
    THREADS = 1  # several threads of one process
    PROCESSES = 2  # several processes sharing one host directory (one replica)
    REPLICAS = 3  # several replicas, each with its own memory and filesystem

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Topology:
    name: str
    replicas: int
    workers: int
    threads: int
    description: str = ""

    @property
    def scope(self) -> Scope:
        if self.replicas > 1:
            return Scope.REPLICAS
        if self.workers > 1:
            return Scope.PROCESSES
        if self.threads > 1:
            return Scope.THREADS
        return Scope.NONE


TOPOLOGIES: dict[str, Topology] = {
    t.name: t
    for t in (
        Topology("single", 1, 1, 1, "one replica, one process, one thread: no concurrency"),
        Topology("threads", 1, 1, 8, "one process with eight threads"),
        Topology("processes", 1, 4, 1, "one replica with four single-threaded processes"),
        Topology("replicas", 3, 2, 4, "three replicas x two processes x four threads (the default)"),
    )
}

DEFAULT_TOPOLOGY = "replicas"


def custom_topology(replicas: int, workers: int, threads: int) -> Topology:
    """The named topology with these numbers, or an unnamed one ("custom")."""
    for topology in TOPOLOGIES.values():
        if (topology.replicas, topology.workers, topology.threads) == (replicas, workers, threads):
            return topology
    return Topology("custom", replicas, workers, threads, "set by REPLICAS / WORKERS / THREADS")
