"""Only the modules that drive Locust may import it: importing ``locust`` monkey-patches the
whole process for gevent, which the report's process and these tests must not suffer."""

from __future__ import annotations

import subprocess
import sys

PURE = ["ledger", "bursts", "options", "node", "rows", "board", "webui"]


def test_the_pure_pieces_do_not_import_locust() -> None:
    code = "; ".join([*(f"import racelab.bench.{m}" for m in PURE), "import sys", "print('locust' in sys.modules)"])
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
