"""The "Race verdicts: <scenario>" tabs of Locust's web UI, their CSV downloads and a JSON view.

Locust 2.x reads ``extended_tabs`` / ``extended_tables`` / ``extended_csv_files`` from the page's
template arguments, and the tabs' rows from an ``extended_stats`` key of the ``/stats/requests``
poll (every 2 s while a test runs). The keys go straight into ``web_ui.template_args`` so the tabs
show on ``/`` itself (the official example's separate ``/extend`` page is locustio/locust#3240).

A table's columns are fixed when the page loads, and each scenario has anomalies of its own, so
each scenario of the registry gets a tab of its own, with its anomaly names as columns.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from racelab import scenarios
from racelab.bench.board import Board
from racelab.bench.rows import EXTRA, columns

# Locust's table sorts its rows by name (JavaScript's "<"): the leading space puts the notes
# above every strategy, and HTML does not show it.
NOTE = " ⚠ note"


def tab_key(scenario: str) -> str:
    return f"race-{scenario}"


def tabs() -> list[dict[str, str]]:
    return [{"title": f"Race verdicts: {name}", "key": tab_key(name)} for name in scenarios.scenarios()]


def tables() -> list[dict[str, Any]]:
    return [
        {"key": tab_key(name), "structure": [{"key": key, "title": title} for key, title in columns(scenario)]}
        for name, scenario in scenarios.scenarios().items()
    ]


def csv_files() -> list[dict[str, str]]:
    return [
        {"href": f"./race/{name}.csv", "title": f"Download race verdicts CSV: {name}"} for name in scenarios.scenarios()
    ]


def note_rows(board: Board, keys: list[str]) -> list[dict[str, Any]]:
    """What makes the run's verdicts unreliable, as rows at the top of the tab. The message is
    spread over the row's columns, a few words each, so that it reads left to right in one or two
    lines rather than down one narrow column."""
    rows = []
    cells = keys[1:]
    for i, message in enumerate(board.warnings()):
        words = message.split()
        per_cell = -(-len(words) // len(cells))
        row = {key: " ".join(words[j * per_cell : (j + 1) * per_cell]) for j, key in enumerate(cells)}
        rows.append({"name": NOTE if i == 0 else f"{NOTE} {i + 1}", **row})
    return rows


def table_rows(board: Board, scenario: str) -> list[dict[str, Any]]:
    """The notes of the run (in the tabs of the scenarios it hammers), then a row per strategy.
    Cells must be strings or numbers: the UI's table shows ``None`` or a boolean as blank."""
    keys = [key for key, _ in columns(scenarios.scenario(scenario))]
    rows = [{key: ("" if r.get(key) is None else r.get(key)) for key in keys} for r in board.table(scenario)]
    involved = any(s.scenario == scenario for s in board.targets)
    return (note_rows(board, keys) if involved else []) + rows


def extended_stats(board: Board) -> list[dict[str, Any]]:
    return [{"key": tab_key(name), "data": table_rows(board, name)} for name in scenarios.scenarios()]


def to_csv(board: Board, scenario: str) -> str:
    out = io.StringIO()
    keys = [key for key, _ in columns(scenarios.scenario(scenario))] + EXTRA
    writer = csv.writer(out)
    writer.writerow(keys)
    for r in board.table(scenario):
        writer.writerow(["" if r.get(k) is None else r.get(k) for k in keys])
    return out.getvalue()


def to_json(board: Board) -> dict[str, Any]:
    return {
        "run": board.run_id,
        "finished": board.finished,
        "burst_size": board.burst_size,
        "users": board.users,
        "declared_scope": board.declared.label if board.declared is not None else None,
        "notes": board.warnings(),
        "params": board.params,
        "scenarios": {name: board.table(name) for name in scenarios.scenarios()},
        "judgements": {key: j.to_json() for key, j in board.judgements.items()},
    }


def install(web_ui: Any, board: Board) -> None:
    from flask import Response, abort, jsonify, request

    web_ui.template_args["extended_tabs"] = tabs()
    web_ui.template_args["extended_tables"] = tables()
    web_ui.template_args["extended_csv_files"] = csv_files()

    def add_verdicts(response: Any) -> Any:
        # endswith: with --web-base-path the UI polls <base>/stats/requests
        if request.path.endswith("/stats/requests") and response.is_json:
            body = response.get_json()
            body["extended_stats"] = extended_stats(board)
            response.set_data(json.dumps(body))
        return response

    def verdicts_json() -> Any:
        return jsonify(to_json(board))

    def verdicts_csv(scenario: str) -> Any:
        if scenario not in scenarios.scenarios():
            abort(404)
        return Response(
            to_csv(board, scenario),
            mimetype="text/csv",
            headers={"Content-Disposition": f"attachment; filename=race_verdicts_{scenario}.csv"},
        )

    # Registered by call rather than as decorators: Locust's are untyped. auth_required_if_enabled
    # honours --web-login.
    app, guarded = web_ui.app, web_ui.auth_required_if_enabled
    app.after_request(add_verdicts)
    app.add_url_rule("/race/verdicts", "racelab_verdicts", guarded(verdicts_json))
    app.add_url_rule("/race/<scenario>.csv", "racelab_verdicts_csv", guarded(verdicts_csv))
