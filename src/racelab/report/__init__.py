"""``make report``: every strategy under every topology, measured, in one self-contained folder.

:mod:`~racelab.report.runner` runs the matrix (the only module here that does I/O);
:mod:`~racelab.report.model` derives what the page shows from ``results.json``;
:mod:`~racelab.report.html` and :mod:`~racelab.report.markdown` render it, results dict in,
text out, so a recorded ``results.json`` renders the same page anywhere.
"""
