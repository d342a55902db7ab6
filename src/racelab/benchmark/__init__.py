"""``racelab bench`` (``make bench``): how often the races show, what the harness can push, what
safety costs at steady load; written to ``bench/<timestamp>/`` and linked as ``bench/latest``.

One module per part, the pure computations apart from the I/O:

- :mod:`.plan` and :mod:`.figures`: pure (the sampling plan; fractions, ratios, percentiles,
  the 95% finder), unit-tested on hand-written inputs;
- :mod:`.curves` (reproduction curves), :mod:`.harness` (wrk against Locust),
  :mod:`.saturation` (closed-loop cost of safety), :mod:`.machine`: the measurements;
- :mod:`.pages`: results.json to summary.md and a self-contained index.html;
- :mod:`.runner`: the whole run, with progress lines.

Not to be confused with :mod:`racelab.bench`, the Locust harness this command measures.
"""
