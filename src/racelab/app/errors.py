"""Every error leaves as JSON ``{"error", "message"}`` with a message that says what to do next.

Statuses follow what the history makes of them: a 4xx means *nothing was written* (a refusal, a
rollback, bad input), a 5xx means *it may have been* (a store went away mid-call, a lock expired
under the writer). Never an HTML page, never a traceback.
"""

from __future__ import annotations

import logging
from typing import Any

import psycopg
import psycopg_pool
import redis
from flask import Flask, Response, jsonify
from flask.typing import ResponseReturnValue
from pymemcache.exceptions import MemcacheError
from werkzeug.exceptions import HTTPException

from racelab.app.resources import LOCK_TIMEOUT_MS, STATEMENT_TIMEOUT_MS
from racelab.core.guards import LockLost
from racelab.core.scenario import BadInput, UnknownName
from racelab.core.strategy import Refused
from racelab.manager import ManagerUnavailable
from racelab.messaging.rpc import QueueTimeout, QueueUnavailable
from racelab.messaging.serial import QueueFailed

log = logging.getLogger("racelab.app")


def error(status: int, code: str, message: str, **extra: Any) -> tuple[Response, int]:
    return jsonify({"error": code, "message": message, **extra}), status


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> ResponseReturnValue:
        response, status = error(
            exc.code or 500, (exc.name or "error").lower().replace(" ", "_"), exc.description or ""
        )
        # Keep what the exception says in headers: 405's Allow lists the methods that would work.
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response, status

    @app.errorhandler(BadInput)
    def bad_input(exc: BadInput) -> ResponseReturnValue:
        return error(400, "bad_request", str(exc))

    @app.errorhandler(UnknownName)
    def unknown_name(exc: UnknownName) -> ResponseReturnValue:
        return error(404, f"unknown_{exc.kind.replace(' ', '_')}", str(exc), valid=exc.valid)

    @app.errorhandler(Refused)
    def refused(exc: Refused) -> ResponseReturnValue:
        return error(exc.status, exc.code, exc.message, **exc.extra)

    @app.errorhandler(psycopg.errors.TransactionRollback)
    def rolled_back(exc: psycopg.errors.TransactionRollback) -> ResponseReturnValue:
        # 40001 / 40P01 that a strategy did not retry: Postgres rolled the transaction back.
        return error(409, "rolled_back", f"Postgres rolled the transaction back ({exc.sqlstate}): nothing was written")

    @app.errorhandler(psycopg.errors.IntegrityError)
    def constraint(exc: psycopg.errors.IntegrityError) -> ResponseReturnValue:
        # A constraint a strategy did not catch itself: Postgres refused the write and rolled back.
        diag = exc.diag.constraint_name or exc.sqlstate or "a constraint"
        return error(409, "constraint_violation", f"Postgres refused the write ({diag}): nothing was written")

    @app.errorhandler(LockLost)
    def lock_lost(exc: LockLost) -> ResponseReturnValue:
        # The write ran, but maybe after another holder's: indeterminate, so a 5xx, never a 4xx.
        return error(500, "lock_lost", exc.message)

    @app.errorhandler(psycopg.errors.QueryCanceled)
    @app.errorhandler(psycopg.errors.LockNotAvailable)
    def postgres_timeout(exc: Exception) -> ResponseReturnValue:
        # statement_timeout / lock_timeout (app/resources.py): a statement of a multi-statement
        # operation may have committed before it, so indeterminate (a 5xx), never a 4xx.
        log.warning("postgres timeout: %s", exc)
        return error(
            503,
            "postgres_timeout",
            "Postgres took longer than the lab's bound (a lock wait over "
            f"{LOCK_TIMEOUT_MS / 1000:g} s or a statement over {STATEMENT_TIMEOUT_MS / 1000:g} s) and cancelled it; "
            "the operation may have been applied in part: read the state before you retry",
        )

    @app.errorhandler(psycopg.OperationalError)
    @app.errorhandler(psycopg_pool.PoolTimeout)
    def postgres_down(exc: Exception) -> ResponseReturnValue:
        log.warning("postgres unavailable: %s", exc)
        return error(503, "postgres_unavailable", "Postgres did not answer; is it running? (make ps)")

    @app.errorhandler(redis.exceptions.ConnectionError)
    @app.errorhandler(redis.exceptions.TimeoutError)
    def redis_down(exc: Exception) -> ResponseReturnValue:
        log.warning("redis unavailable: %s", exc)
        return error(503, "redis_unavailable", "Redis did not answer; is it running? (make ps)")

    @app.errorhandler(MemcacheError)
    @app.errorhandler(ConnectionError)
    @app.errorhandler(TimeoutError)
    def memcached_down(exc: Exception) -> ResponseReturnValue:
        # pymemcache lets socket errors through as they are (the other clients wrap theirs).
        log.warning("memcached unavailable: %s", exc)
        return error(503, "memcached_unavailable", "memcached did not answer; is it running? (make ps)")

    @app.errorhandler(QueueUnavailable)
    def queue_down(exc: QueueUnavailable) -> ResponseReturnValue:
        log.warning("rabbitmq unavailable: %s", exc)
        return error(503, "queue_unavailable", f"{exc}; nothing was published. Is it running? (make ps)")

    @app.errorhandler(QueueTimeout)
    def queue_timeout(exc: QueueTimeout) -> ResponseReturnValue:
        # Published, then no answer: the worker may still apply it, so indeterminate (a 5xx).
        return error(504, "queue_timeout", f"{exc}; the operation may or may not have been applied")

    @app.errorhandler(QueueFailed)
    def queue_failed(exc: QueueFailed) -> ResponseReturnValue:
        return error(500, "queue_worker_failed", f"{exc}; the operation may have been applied in part")

    @app.errorhandler(ManagerUnavailable)
    def manager_down(exc: ManagerUnavailable) -> ResponseReturnValue:
        # A call that reached the manager may have been applied: indeterminate, so a 5xx.
        log.warning("manager unavailable: %s", exc)
        return error(503, "manager_unavailable", str(exc))

    @app.errorhandler(Exception)
    def internal(exc: Exception) -> ResponseReturnValue:
        log.exception("unhandled error")  # the traceback goes to the log, not to the client
        return error(500, "internal_error", "the server failed; the app log has the details")
