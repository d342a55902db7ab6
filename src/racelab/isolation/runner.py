"""The whole matrix against the lab's Postgres: every anomaly at every level, on a table of its own.

Postgres is found the way the native runtime starts it (``POSTGRES_PORT``, ``POSTGRES_USER``,
``POSTGRES_PASSWORD``, ``POSTGRES_DB`` from the environment and ``.env``), unless ``DATABASE_URL``
says otherwise (inside an app container it does). The tests run in a schema created for this run
and dropped at the end, so the lab's scenarios never see them and two runs never meet.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping

import psycopg
from psycopg import conninfo, sql

from racelab.isolation.anomalies import anomalies
from racelab.isolation.judge import judge
from racelab.isolation.model import LEVELS, Anomaly, Level
from racelab.isolation.results import AnomalyResult, CellResult, IsolationResults
from racelab.isolation.sessions import Driver
from racelab.settings import StackSettings

DOCKER_HINT = (
    "under the docker runtime Postgres is not published on the host; run the matrix inside an app "
    "container instead: docker compose exec app racelab isolation"
)


class Unreachable(RuntimeError):
    """The lab's Postgres does not answer; the message says where it looked and what to do."""


def database_url(env: Mapping[str, str]) -> str:
    """``DATABASE_URL``, else the native runtime's Postgres on 127.0.0.1:``POSTGRES_PORT``."""
    if env.get("DATABASE_URL"):
        return env["DATABASE_URL"]
    return conninfo.make_conninfo(
        host="127.0.0.1",
        port=str(StackSettings.from_env(env).postgres_port),
        user=env.get("POSTGRES_USER") or "racelab",
        password=env.get("POSTGRES_PASSWORD", ""),
        dbname=env.get("POSTGRES_DB") or "racelab",
    )


def where(url: str) -> str:
    """host:port/database, without the password, for messages."""
    info = conninfo.conninfo_to_dict(url)
    return f"{info.get('host', '?')}:{info.get('port', 5432)}/{info.get('dbname', '?')}"


def run_matrix(
    url: str,
    chosen: list[Anomaly] | None = None,
    levels: tuple[Level, ...] = LEVELS,
    progress: Callable[[str], None] | None = None,
) -> IsolationResults:
    """Every anomaly at every level; raises :class:`Unreachable` when Postgres does not answer."""
    started = time.monotonic()
    try:
        admin = psycopg.connect(url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise Unreachable(
            f"cannot reach the lab's Postgres at {where(url)} ({reason}). Start the lab first (make up); {DOCKER_HINT}"
        ) from exc
    name = f"racelab_isolation_{secrets.token_hex(4)}"
    schema = sql.Identifier(name)
    results = IsolationResults(levels=list(levels), where=where(url))
    with admin:
        row = admin.execute("SHOW server_version").fetchone()
        results.server = f"PostgreSQL {row[0].split()[0]}" if row else "PostgreSQL"
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(schema))
        try:
            admin.execute(
                sql.SQL("CREATE TABLE {}.items (id integer PRIMARY KEY, value integer NOT NULL)").format(schema)
            )
            driver = Driver(url, sql.Identifier(name, "items"))
            try:
                for anomaly in chosen or anomalies():
                    cells: list[CellResult] = []
                    for level in levels:
                        if progress:
                            progress(f"{anomaly.name} at {level}")
                        cells.append(judge(anomaly, level, driver.run(anomaly, level)))
                    results.anomalies.append(
                        AnomalyResult(anomaly.name, anomaly.title, anomaly.explanation, anomaly.prevented_from, cells)
                    )
            finally:
                driver.close()
        finally:
            admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(schema))
    results.duration_s = round(time.monotonic() - started, 2)
    return results
