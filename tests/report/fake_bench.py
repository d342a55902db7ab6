"""A stand-in for ``python -m racelab.bench.headless`` with the same interface, for the runner's tests.

It prints the same JSON lines and writes the same files, with hand-made cells. ``FAKE_BENCH``
(JSON) bends it: ``{"verdicts": {"<key>@<topology>": "fails"}, "crash_after": N, "error": "..."}``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from racelab.core.history import Op
from racelab.engine.results import RECORDS, append_record
from tests.report.factory import cell


def main() -> int:
    parser = argparse.ArgumentParser()
    for name in (
        "--url",
        "--topology",
        "--strategies",
        "--users",
        "--seconds",
        "--min-bursts",
        "--race-window-ms",
        "--out",
    ):
        parser.add_argument(name, required=True)
    parser.add_argument("--locust-html", action="store_true")
    args = parser.parse_args()
    bend = json.loads(os.environ.get("FAKE_BENCH", "{}"))
    print("a line that is not JSON, as a library might print", flush=True)
    if "error" in bend:
        print(json.dumps({"event": "error", "message": bend["error"]}), flush=True)
        return 2
    for i, key in enumerate(args.strategies.split(",")):
        if i == bend.get("crash_after"):
            print("Traceback (most recent call last):\nRuntimeError: the fake bench fell over", file=sys.stderr)
            return 1
        print(json.dumps({"event": "start", "strategy": key}), flush=True)
        Path(args.out).mkdir(parents=True, exist_ok=True)
        states = {
            "initial": {"value": 0},
            "final": {"value": 1},
            "params": {},
            "declared_scope": "replicas",
            "burst_size": int(args.users),
        }
        history = [Op("next", {}, "ok", value=1, served_by={"replica": "app-1"})]
        append_record(Path(args.out) / RECORDS, key, states, history)
        files = {"record": RECORDS}
        if args.locust_html:
            folder = Path(args.out) / key
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "locust.html").write_text("<html>locust</html>")
            files["locust_html"] = f"{key}/locust.html"
        made = cell(key, args.topology, bend.get("verdicts", {}).get(f"{key}@{args.topology}"), files=files)
        print(json.dumps({"event": "cell", "cell": made.to_json()}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
