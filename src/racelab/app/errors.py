"""Every error leaves as JSON with a message that says what to do; never an HTML traceback."""

from __future__ import annotations

import logging

import psycopg
import psycopg_pool
import redis
from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from racelab.strategies import UnknownStrategy, names
from racelab.strategies.base import RetriesExhausted

log = logging.getLogger("racelab.app")


class BadRequest(Exception):
    """The client sent something unusable; the message names the field."""


def error(status: int, code: str, message: str, **extra: object) -> tuple[Response, int]:
    return jsonify({"error": code, "message": message, **extra}), status


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        return error(exc.code or 500, (exc.name or "error").lower().replace(" ", "_"), exc.description or "")

    @app.errorhandler(BadRequest)
    def bad_request(exc: BadRequest):  # type: ignore[no-untyped-def]
        return error(400, "bad_request", str(exc))

    @app.errorhandler(UnknownStrategy)
    def unknown_strategy(exc: UnknownStrategy):  # type: ignore[no-untyped-def]
        return error(404, "unknown_strategy", str(exc), valid=names())

    @app.errorhandler(RetriesExhausted)
    def exhausted(exc: RetriesExhausted):  # type: ignore[no-untyped-def]
        # 409: the request lost every conflict it entered; it was rolled back and may be retried.
        return error(409, "retries_exhausted", str(exc), attempts=exc.attempts)

    @app.errorhandler(redis.exceptions.LockError)
    def lock_timeout(exc: redis.exceptions.LockError):  # type: ignore[no-untyped-def]
        return error(409, "lock_not_acquired", f"could not take the Redis lock in time: {exc}")

    @app.errorhandler(psycopg.OperationalError)
    @app.errorhandler(psycopg_pool.PoolTimeout)
    def postgres_down(exc: Exception):  # type: ignore[no-untyped-def]
        log.warning("postgres unavailable: %s", exc)
        return error(503, "postgres_unavailable", "Postgres did not answer; is it running? (make ps)")

    @app.errorhandler(redis.exceptions.ConnectionError)
    @app.errorhandler(redis.exceptions.TimeoutError)
    def redis_down(exc: Exception):  # type: ignore[no-untyped-def]
        log.warning("redis unavailable: %s", exc)
        return error(503, "redis_unavailable", "Redis did not answer; is it running? (make ps)")

    @app.errorhandler(Exception)
    def internal(exc: Exception):  # type: ignore[no-untyped-def]
        log.exception("unhandled error")  # the traceback goes to the log, not to the client
        return error(500, "internal_error", "the server failed; the app log has the details")
