"""The "Race verdicts" tab of Locust's web UI, its CSV download and a JSON view.

Locust 2.x reads ``extended_tabs`` / ``extended_tables`` / ``extended_csv_files`` from the page's
template arguments, and the tab's rows from an ``extended_stats`` key of the ``/stats/requests``
poll (every 2 s while a test runs). The keys go straight into ``web_ui.template_args`` so the tab
shows on ``/`` itself (the official example's separate ``/extend`` page is locustio/locust#3240).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from racelab.bench.board import Board

TAB = "race-verdicts"
COLUMNS: list[tuple[str, str]] = [
    ("name", "Strategy"),
    ("verdict", "Verdict"),
    ("expected", "Expected here"),
    ("attempted", "Attempted"),
    ("acknowledged", "Acknowledged"),
    ("failed", "Failed"),
    ("indeterminate", "No answer (yet)"),
    ("duplicates", "Duplicates"),
    ("lost", "Lost updates"),
    ("collision", "Colliding values (replica/pid/thread)"),
    ("served_by", "Served by"),
    ("bursts", "Bursts"),
    ("spread_last_ms", "Spread, last burst (ms)"),
    ("spread_median_ms", "Spread, median (ms)"),
    ("spread_max_ms", "Spread, max (ms)"),
    ("state", "State"),
]
CSV_EXTRA = ["retries_per_call", "wait_ms_per_call", "reason"]


def table_rows(board: Board) -> list[dict[str, Any]]:
    """Cells must be strings or numbers: the UI's table shows ``None`` or a boolean as blank."""
    return [{key: ("" if r.get(key) is None else r.get(key)) for key, _ in COLUMNS} for r in board.table()]


def to_csv(board: Board) -> str:
    out = io.StringIO()
    keys = [key for key, _ in COLUMNS] + CSV_EXTRA
    writer = csv.writer(out)
    writer.writerow(keys)
    for r in board.table():
        writer.writerow(["" if r.get(k) is None else r.get(k) for k in keys])
    return out.getvalue()


def install(web_ui: Any, board: Board) -> None:
    from flask import Response, jsonify, request

    web_ui.template_args["extended_tabs"] = [{"title": "Race verdicts", "key": TAB}]
    web_ui.template_args["extended_tables"] = [
        {"key": TAB, "structure": [{"key": key, "title": title} for key, title in COLUMNS]}
    ]
    web_ui.template_args["extended_csv_files"] = [
        {"href": "./race/verdicts.csv", "title": "Download race verdicts CSV"}
    ]

    @web_ui.app.after_request
    def add_verdicts(response: Any) -> Any:
        # endswith: with --web-base-path the UI polls <base>/stats/requests
        if request.path.endswith("/stats/requests") and response.is_json:
            body = response.get_json()
            body["extended_stats"] = [{"key": TAB, "data": table_rows(board)}]
            response.set_data(json.dumps(body))
        return response

    @web_ui.app.route("/race/verdicts")
    @web_ui.auth_required_if_enabled
    def verdicts_json() -> Any:
        return jsonify({"run": board.run_id, "finished": board.finished, "notes": board.notes, "rows": board.table()})

    @web_ui.app.route("/race/verdicts.csv")
    @web_ui.auth_required_if_enabled
    def verdicts_csv() -> Any:
        return Response(
            to_csv(board), mimetype="text/csv",
            headers={"Content-Disposition": "attachment; filename=race_verdicts.csv"},
        )
